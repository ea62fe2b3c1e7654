-- The deepest level's grids of a version, simplified by ~2 m for drawing on a map (never for areas).
SELECT g.code, g.name, ST_AsGeoJSON(ST_SimplifyPreserveTopology(g.geom, 0.00002), 6)
FROM grid g
WHERE g.version_id = :version_id
  AND g.level = (SELECT max(level) FROM grid WHERE version_id = :version_id)
ORDER BY g.code
