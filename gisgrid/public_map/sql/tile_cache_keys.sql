-- (level, z, x, y) of the tiles of a version already stored: a fill run again (a retry) skips them.
SELECT level, z, x, y FROM tile_cache
WHERE version_id = :version_id AND variant = :variant AND schema = :schema
