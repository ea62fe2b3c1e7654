-- Switch the published version in one statement pair inside one transaction.
UPDATE boundary_version SET status = 'superseded', superseded_at = now()
WHERE status = 'published' AND id <> :version_id;

UPDATE boundary_version SET status = 'published', published_at = now(), superseded_at = NULL
WHERE id = :version_id;
