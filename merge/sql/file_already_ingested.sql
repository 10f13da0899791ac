-- Has this exact file content already been read for this source and kind?
SELECT count(*) FROM ingested_files WHERE source_name = $source_name AND kind = $kind AND sha256 = $sha256;
