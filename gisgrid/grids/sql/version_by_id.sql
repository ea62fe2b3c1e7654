-- One version by id, whatever its status (drafts too), with the same columns as version_published.sql.
SELECT v.id, v.label, v.status, v.created_at, v.published_at, v.superseded_at,
       (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()) AS database_oid
FROM boundary_version v
WHERE v.id = :version_id
