-- Patrol coverage per grid for a period: the share of each grid's area within :distance_m metres of
-- any track that overlaps [:since, :until). Buffers are geodesic (geography ST_Buffer, computed by
-- PostGIS in a local metric projection), areas are on the spheroid (geography ST_Area).
WITH tracks AS (
    SELECT geom FROM patrol_track WHERE started_at < :until AND ended_at >= :since
), covered AS (
    SELECT ST_Union(ST_Buffer(geom::geography, :distance_m)::geometry) AS geom FROM tracks
)
SELECT g.code, g.name, g.level,
       (SELECT array_agg(a.code ORDER BY a.level) FROM grid a WHERE a.id = ANY (g.ancestor_ids || g.id)) AS chain,
       ST_Area(g.geom::geography) AS area_m2,
       coalesce(ST_Area(ST_Intersection(g.geom, c.geom)::geography), 0) AS covered_m2,
       EXISTS (SELECT 1 FROM tracks t WHERE ST_Intersects(t.geom, g.geom)) AS patrolled,
       ST_AsGeoJSON(ST_SimplifyPreserveTopology(g.geom, :simplify_deg), 6) AS geojson
FROM grid g CROSS JOIN covered c
WHERE g.version_id = :version_id
ORDER BY g.level, g.code
