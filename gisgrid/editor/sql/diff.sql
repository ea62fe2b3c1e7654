-- Grids of version :a and :b matched by code: what exists where, parents, areas, and the reshaped area.
SELECT coalesce(b.code, a.code) AS code, coalesce(b.name, a.name) AS name, coalesce(b.level, a.level) AS level,
       a.code IS NOT NULL AS in_a, b.code IS NOT NULL AS in_b,
       a.parent_code AS old_parent, b.parent_code AS new_parent, a.area_m2 AS old_area, b.area_m2 AS new_area,
       CASE WHEN a.code IS NULL OR b.code IS NULL OR a.geom = b.geom THEN 0.0
            ELSE ST_Area(ST_SymDifference(a.geom, b.geom)::geography) END AS changed_m2,
       ST_AsGeoJSON(coalesce(b.geom, a.geom), 7) AS geometry
FROM (SELECT * FROM grid WHERE version_id = :a) AS a
FULL JOIN (SELECT * FROM grid WHERE version_id = :b) AS b ON a.code = b.code
ORDER BY 3, 1
