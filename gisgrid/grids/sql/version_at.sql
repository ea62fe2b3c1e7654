-- The version published at the end of :day (a date): published on or before that day and not
-- superseded before the next day began. Superseded versions keep their timestamps, so history works.
-- Same columns as version_published.sql (database_oid: see there).
SELECT v.id, v.label, v.status, v.created_at, v.published_at, v.superseded_at,
       (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()) AS database_oid
FROM boundary_version v
WHERE v.published_at < CAST(:day AS date) + 1
  AND (v.superseded_at IS NULL OR v.superseded_at >= CAST(:day AS date) + 1)
ORDER BY v.published_at DESC
LIMIT 1
