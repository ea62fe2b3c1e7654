-- After grids of a version are inserted: link parents, ancestors, areas and lookup parts.
UPDATE grid c SET parent_id = p.id
FROM grid p
WHERE c.version_id = :version_id AND p.version_id = :version_id AND p.code = c.parent_code;

WITH RECURSIVE tree AS (
    SELECT id, ARRAY[]::bigint[] AS ancestors FROM grid
    WHERE version_id = :version_id AND parent_id IS NULL
    UNION ALL
    SELECT g.id, t.ancestors || g.parent_id
    FROM grid g JOIN tree t ON g.parent_id = t.id
    -- only this version's rows: without it each level scans the grids of every stored version
    WHERE g.version_id = :version_id
)
UPDATE grid g SET ancestor_ids = tree.ancestors,
                  area_m2 = ST_Area(g.geom::geography)
FROM tree WHERE g.id = tree.id;

-- ST_Subdivide keeps each part small (<= 64 vertices) so ST_Covers stays cheap: mapit's trick.
INSERT INTO grid_part (grid_id, version_id, level, code, geom)
SELECT id, version_id, level, code, (ST_Dump(sub)).geom
FROM (SELECT id, version_id, level, code, ST_Subdivide(geom, 64) AS sub
      FROM grid WHERE version_id = :version_id) AS parts
WHERE ST_GeometryType(sub) IN ('ST_Polygon', 'ST_MultiPolygon');
