-- One grid's chain (ancestors and itself, top -> leaf) and children codes, plus its bbox.
SELECT (SELECT array_agg(a.code ORDER BY a.level) FROM public_grid a WHERE a.id = ANY (g.ancestor_ids || g.id)) AS chain,
       (SELECT coalesce(array_agg(c.code ORDER BY c.code), '{}') FROM public_grid c WHERE c.parent_id = g.id) AS children,
       ST_XMin(g.geom), ST_YMin(g.geom), ST_XMax(g.geom), ST_YMax(g.geom)
FROM public_grid g
WHERE g.version_id = :version_id AND g.code = :code
