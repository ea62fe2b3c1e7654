-- Copy every grid of :source_id (with its staff, lookup parts and unit grids) into the new version :new_id.
-- /*grid_fields*/ is the stored columns of the field registry (gisgrid/grids/fields.py GRID_COLUMNS).
-- The geometry is the same, so what build_version.sql derives from it is copied, not computed again:
-- new ids are drawn first so parent_id and ancestor_ids are mapped in the INSERT itself (no UPDATE of
-- every row, and no audit entries for them), areas are kept, and the parts are the source's parts. This
-- is what opening a draft and a rollback cost (two copies per publish-and-roll-back cycle).
WITH ids AS MATERIALIZED (
    SELECT id AS old_id, nextval(pg_get_serial_sequence('grid', 'id')) AS new_id
    FROM grid WHERE version_id = :source_id
)
INSERT INTO grid (id, version_id, parent_id, ancestor_ids, geom, area_m2, extra, /*grid_fields*/)
SELECT m.new_id, :new_id, parent.new_id,
       ARRAY(SELECT a.new_id FROM unnest(o.ancestor_ids) WITH ORDINALITY AS u(old_id, n)
             JOIN ids AS a ON a.old_id = u.old_id ORDER BY u.n),
       o.geom, coalesce(o.area_m2, ST_Area(o.geom::geography)), o.extra, /*grid_fields*/
FROM grid AS o
JOIN ids AS m ON m.old_id = o.id
LEFT JOIN ids AS parent ON parent.old_id = o.parent_id;

INSERT INTO grid_staff (grid_id, position, name, role, phone, phone_public)
SELECT n.id, s.position, s.name, s.role, s.phone, s.phone_public
FROM grid_staff s
JOIN grid o ON o.id = s.grid_id AND o.version_id = :source_id
JOIN grid n ON n.version_id = :new_id AND n.code = o.code;

-- the source's lookup parts (through ix_grid_part_grid: grid_part has no version index)
INSERT INTO grid_part (grid_id, version_id, level, code, geom)
SELECT n.id, :new_id, p.level, p.code, p.geom
FROM grid o
JOIN grid_part p ON p.grid_id = o.id
JOIN grid n ON n.version_id = :new_id AND n.code = o.code
WHERE o.version_id = :source_id;

-- a source grid without parts (none is expected: every edit keeps them) is subdivided as build_version.sql does
INSERT INTO grid_part (grid_id, version_id, level, code, geom)
SELECT id, version_id, level, code, (ST_Dump(sub)).geom
FROM (SELECT g.id, g.version_id, g.level, g.code, ST_Subdivide(g.geom, 64) AS sub
      FROM grid g
      WHERE g.version_id = :new_id AND NOT EXISTS (SELECT 1 FROM grid_part p WHERE p.grid_id = g.id)) AS parts
WHERE ST_GeometryType(sub) IN ('ST_Polygon', 'ST_MultiPolygon');

-- the version's 重点监管单元网格 (migration 0014u) travel with it: drafts, rollbacks
INSERT INTO unit_grid (version_id, geom, area_m2, extra, /*grid_fields*/)
SELECT :new_id, geom, area_m2, extra, /*grid_fields*/
FROM unit_grid WHERE version_id = :source_id;
