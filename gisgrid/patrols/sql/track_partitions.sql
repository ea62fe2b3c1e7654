-- The month partitions of patrol_track (migration 0016_scale2) with their row counts (estimated from the
-- statistics, exact enough for a log line; a partition never analysed counts -1).
-- Names are patrol_track_yYYYYmMM; the retention job parses the month from the name, not from the bound.
SELECT c.relname AS name, c.reltuples::bigint AS rows
  FROM pg_inherits AS i
  JOIN pg_class AS c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'patrol_track'::regclass
 ORDER BY c.relname
