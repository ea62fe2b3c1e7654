-- Grids of one version by code, as GeoJSON geometry (7 decimals ≈ 1 cm) with their chain, for the map.
SELECT g.code, g.name, g.level, g.entity,
       (SELECT array_agg(a.code ORDER BY a.level) FROM grid a WHERE a.id = ANY (g.ancestor_ids || g.id)) AS chain,
       ST_AsGeoJSON(g.geom, 7) AS geometry
FROM grid g
WHERE g.version_id = :version_id AND g.code = ANY (CAST(:codes AS text[]))
ORDER BY g.level, g.code
