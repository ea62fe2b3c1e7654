-- Patrol coverage per grid for a period: the share of each grid's area within :distance_m metres of
-- any track that overlaps [:since, :until). Buffers are geodesic (geography ST_Buffer, computed by
-- PostGIS in a local metric projection), areas are on the spheroid (geography ST_Area).
-- The union of all buffers is cut into small disjoint pieces (ST_Subdivide), so each grid is
-- intersected only with the few pieces it touches (found by bounding box) instead of the whole union;
-- the pieces do not overlap, so summing their intersections is exact.
WITH tracks AS (
    SELECT geom FROM patrol_track WHERE started_at < :until AND ended_at >= :since
), pieces AS MATERIALIZED (
    SELECT ST_Subdivide(ST_Union(ST_Buffer(geom::geography, :distance_m)::geometry), 128) AS geom FROM tracks
), grids AS (
    SELECT g.* FROM grid g WHERE g.version_id = :version_id
)
SELECT g.code, g.name, g.level,
       (SELECT array_agg(a.code ORDER BY a.level) FROM grid a WHERE a.id = ANY (g.ancestor_ids || g.id)) AS chain,
       ST_Area(g.geom::geography) AS area_m2,
       coalesce((SELECT sum(ST_Area(ST_Intersection(g.geom, p.geom)::geography))
                 FROM pieces p WHERE p.geom && g.geom), 0) AS covered_m2,
       EXISTS (SELECT 1 FROM patrol_track t
               WHERE t.started_at < :until AND t.ended_at >= :since AND ST_Intersects(t.geom, g.geom)) AS patrolled,
       ST_AsGeoJSON(ST_SimplifyPreserveTopology(g.geom, :simplify_deg), 6) AS geojson
FROM grids g
ORDER BY g.level, g.code
