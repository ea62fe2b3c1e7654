-- Bounding boxes of one level of a version: the tiles a fill builds are those these boxes touch.
SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)
FROM grid WHERE version_id = :version_id AND level = :level
