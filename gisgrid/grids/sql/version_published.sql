-- The published version (at most one: uq_boundary_version_published) with the identity of the database
-- it lives in. pg_database.oid changes when `gisgrid restore` swaps in a rebuilt database, so caches keyed
-- by it never serve a restored database from a replaced one's entries.
SELECT v.id, v.label, v.status, v.created_at, v.published_at, v.superseded_at,
       (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()) AS database_oid
FROM boundary_version v
WHERE v.status = 'published'
