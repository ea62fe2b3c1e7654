-- The bounding box (WGS84) of every grid of the published boundary version: the maps open on it.
-- ST_Extent reads each geometry's cached box, so this stays cheap even for thousands of grids.
-- No published version: one row of NULLs (the caller falls back to a national view).
SELECT ST_XMin(box) AS west, ST_YMin(box) AS south, ST_XMax(box) AS east, ST_YMax(box) AS north
FROM (
    SELECT ST_Extent(g.geom) AS box
    FROM grid AS g
    JOIN boundary_version AS v ON v.id = g.version_id
    WHERE v.status = 'published'
) AS e
