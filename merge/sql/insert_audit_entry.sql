-- One audit_log row (unifica/roles.py): an action done, or refused.
INSERT INTO audit_log
SELECT coalesce(max(audit_id), 0) + 1, $acted_at, $user_name, $role, $action, $command, $customer_ids::BIGINT[],
       $outcome, $reason, $before::JSON, $after::JSON
FROM audit_log;
