-- A run begins.
INSERT INTO runs VALUES ($run_id, $command, 'running', $now, NULL, NULL, NULL);
