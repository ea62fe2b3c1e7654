-- The version published at the end of :day (a date): published on or before that day and not
-- superseded before the next day began. Superseded versions keep their timestamps, so history works.
SELECT id
FROM boundary_version
WHERE published_at < CAST(:day AS date) + 1
  AND (superseded_at IS NULL OR superseded_at >= CAST(:day AS date) + 1)
ORDER BY published_at DESC
LIMIT 1
