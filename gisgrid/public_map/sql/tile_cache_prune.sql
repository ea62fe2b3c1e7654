-- Drop the stored tiles of superseded versions except :keep_id (the one the next carry-over copies from);
-- a tile of an old version asked for again (history mode) is built on request as before.
DELETE FROM tile_cache t
USING boundary_version v
WHERE v.id = t.version_id AND v.status = 'superseded' AND v.id <> :keep_id
