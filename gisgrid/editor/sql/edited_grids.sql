-- After an edit: bring parent links, ancestors, areas and lookup parts of the grids it changed up to date.
-- :relink = new or re-parented grids (their descendants follow; a grid reached both ways takes the chain
-- derived from its re-linked parent), :reshaped = grids whose geometry changed.
WITH RECURSIVE tree AS (
    SELECT g.id, g.code, p.id AS parent_id, coalesce(p.ancestor_ids || p.id, ARRAY[]::bigint[]) AS ancestors, 0 AS depth
    FROM grid g LEFT JOIN grid p ON p.version_id = g.version_id AND p.code = g.parent_code
    WHERE g.version_id = :version_id AND g.id = ANY(:relink)
    UNION ALL
    SELECT c.id, c.code, t.id, t.ancestors || t.id, t.depth + 1
    FROM grid c JOIN tree t ON c.version_id = :version_id AND c.parent_code = t.code
)
UPDATE grid g SET parent_id = one.parent_id, ancestor_ids = one.ancestors
FROM (SELECT DISTINCT ON (id) id, parent_id, ancestors FROM tree ORDER BY id, depth DESC) AS one
WHERE g.id = one.id;

UPDATE grid SET area_m2 = ST_Area(geom::geography) WHERE version_id = :version_id AND id = ANY(:reshaped);

DELETE FROM grid_part WHERE version_id = :version_id AND grid_id = ANY(:reshaped);

-- the same subdivision as build_version.sql, for the reshaped grids only
INSERT INTO grid_part (grid_id, version_id, level, code, geom)
SELECT id, version_id, level, code, (ST_Dump(sub)).geom
FROM (SELECT id, version_id, level, code, ST_Subdivide(geom, 64) AS sub
      FROM grid WHERE version_id = :version_id AND id = ANY(:reshaped)) AS parts
WHERE ST_GeometryType(sub) IN ('ST_Polygon', 'ST_MultiPolygon');
