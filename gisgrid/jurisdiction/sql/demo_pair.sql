-- Two leaf grids under different parents with a long shared edge (nearest a river first): the demo's
-- cross-boundary outfall runs from :a_frac inside the first, across the edge, :b_frac inside the second.
-- Fractions are of the way from the edge's midpoint to each grid's centroid.
WITH leaves AS (
    SELECT g.* FROM grid g
    WHERE g.version_id = :version_id AND NOT EXISTS (SELECT 1 FROM grid c WHERE c.parent_id = g.id)
), pairs AS (
    SELECT a.code AS a_code, b.code AS b_code, a.geom AS a_geom, b.geom AS b_geom,
           ST_LineMerge(ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom))) AS edge
    FROM leaves a JOIN leaves b ON a.parent_id <> b.parent_id AND a.code < b.code AND ST_Intersects(a.geom, b.geom)
), edges AS (
    SELECT p.*, ST_LineInterpolatePoint(p.edge, 0.5) AS m FROM pairs p
    WHERE GeometryType(p.edge) = 'LINESTRING' AND ST_Length(p.edge::geography) > 150
)
SELECT e.a_code, e.b_code,
       ST_X(pa) AS ax, ST_Y(pa) AS ay, ST_X(pb) AS bx, ST_Y(pb) AS by,
       (SELECT min(ST_Distance(r.geom::geography, e.m::geography)) FROM river_reach r) AS river_m
FROM edges e
CROSS JOIN LATERAL (SELECT ST_LineInterpolatePoint(ST_MakeLine(e.m, ST_Centroid(e.a_geom)), :a_frac) AS pa,
                           ST_LineInterpolatePoint(ST_MakeLine(e.m, ST_Centroid(e.b_geom)), :b_frac) AS pb) p
WHERE ST_Covers(e.a_geom, pa) AND ST_Covers(e.b_geom, pb)
ORDER BY river_m NULLS LAST, e.a_code, e.b_code
LIMIT 1
