-- Leaf grids of one version that a geometry really reaches: a point covered (edges included), a line
-- for some length, a polygon for some area (touching along an edge is not enough). Leaves, because
-- children tile their parents: the leaves partition the act even where leaves sit at different levels.
-- :wkb is one geometry of a single dimension in EPSG:4326. A point is counted (measure 1 or more).
WITH shape AS (SELECT ST_GeomFromWKB(:wkb, 4326) AS g),
reached AS (
    SELECT g.id, g.code, g.name, g.level, g.ancestor_ids,
           CASE ST_Dimension(s.g)
               WHEN 0 THEN ST_NPoints(ST_Intersection(g.geom, s.g))::float8
               WHEN 1 THEN ST_Length(ST_Intersection(g.geom, s.g)::geography)
               ELSE ST_Area(ST_Intersection(g.geom, s.g)::geography)
           END AS measure
    FROM grid g, shape s
    WHERE g.version_id = :version_id
      AND ST_Intersects(g.geom, s.g)
      AND NOT EXISTS (SELECT 1 FROM grid c WHERE c.parent_id = g.id)
)
SELECT r.code, r.name, r.level, r.measure,
       (SELECT array_agg(a.code ORDER BY a.level) FROM grid a WHERE a.id = ANY (r.ancestor_ids || r.id)) AS chain,
       (SELECT array_agg(a.name ORDER BY a.level) FROM grid a WHERE a.id = ANY (r.ancestor_ids || r.id)) AS names
FROM reached r
WHERE r.measure >= 0.01   -- 1 cm of line or 0.01 m² of area: less is touching (digitising noise), not reaching
ORDER BY r.measure DESC, r.code
