-- Grids of one level of a version, simplified to ~10 m for choropleth maps (6 decimals ≈ 0.1 m).
SELECT g.code, g.name, g.level, g.entity,
       ST_AsGeoJSON(ST_SimplifyPreserveTopology(g.geom, 0.0001), 6)::json AS geometry
FROM grid g
WHERE g.version_id = :version_id AND g.level = :level
ORDER BY g.code
