-- The grids of a version for drawing on a map (simplified by ~2 m, never for areas): the deepest
-- level only, or every level when :all_levels (the overdue map shades streets and counties too).
SELECT g.code, g.name, g.level, ST_AsGeoJSON(ST_SimplifyPreserveTopology(g.geom, 0.00002), 6)
FROM grid g
WHERE g.version_id = :version_id
  AND (:all_levels OR g.level = (SELECT max(level) FROM grid WHERE version_id = :version_id))
ORDER BY g.level, g.code
