-- Many points -> grid chain codes (top -> leaf) in one version, with lookup.sql's edge rule
-- (deepest level, then smallest code in code-point order: COLLATE "C", as Python and numpy sort str).
-- :keys, :lons, :lats are parallel arrays.
SELECT pt.key, (SELECT array_agg(g.code ORDER BY g.level) FROM grid lg, grid g
                WHERE lg.id = leaf.grid_id AND g.id = ANY (lg.ancestor_ids || lg.id)) AS chain
FROM unnest(CAST(:keys AS bigint[]), CAST(:lons AS float8[]), CAST(:lats AS float8[])) AS pt(key, lon, lat)
CROSS JOIN LATERAL (
    SELECT p.grid_id
    FROM grid_part p
    WHERE p.version_id = :version_id
      AND ST_Covers(p.geom, ST_SetSRID(ST_MakePoint(pt.lon, pt.lat), 4326))
    ORDER BY p.level DESC, p.code COLLATE "C"
    LIMIT 1
) AS leaf
