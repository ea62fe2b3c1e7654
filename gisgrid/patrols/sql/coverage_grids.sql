-- Patrol coverage per grid for a period: the share of each grid's area within :distance_m metres of
-- the tracks walked in the period. :track_wkts are the tracks already clipped to the period's time
-- window (gisgrid.patrols.clip), so a track half inside the period counts only for that half.
-- Buffers are geodesic (geography ST_Buffer, computed by PostGIS in a local metric projection),
-- areas are on the spheroid (geography ST_Area).
-- The union of all buffers is cut into small disjoint pieces (ST_Subdivide), so each grid is
-- intersected only with the few pieces it touches (found by bounding box) instead of the whole union;
-- the pieces do not overlap, so summing their intersections is exact.
WITH tracks AS MATERIALIZED (
    SELECT ST_GeomFromEWKT(w) AS geom FROM unnest(CAST(:track_wkts AS text[])) AS w
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
       EXISTS (SELECT 1 FROM tracks t WHERE ST_Intersects(t.geom, g.geom)) AS patrolled,
       ST_AsGeoJSON(ST_SimplifyPreserveTopology(g.geom, :simplify_deg), 6) AS geojson
FROM grids g
ORDER BY g.level, g.code
