-- One stored tile of a version (tile_cache): the primary key, so one index probe.
SELECT body FROM tile_cache
WHERE version_id = :version_id AND variant = :variant AND schema = :schema
  AND level = :level AND z = :z AND x = :x AND y = :y
