-- Copy every grid of :source_id (with its staff) into the new version :new_id; build_version links them.
-- /*grid_fields*/ is the stored columns of the field registry (gisgrid/grids/fields.py GRID_COLUMNS).
INSERT INTO grid (version_id, geom, area_m2, extra, /*grid_fields*/)
SELECT :new_id, geom, area_m2, extra, /*grid_fields*/
FROM grid WHERE version_id = :source_id;

INSERT INTO grid_staff (grid_id, position, name, role, phone, phone_public)
SELECT n.id, s.position, s.name, s.role, s.phone, s.phone_public
FROM grid_staff s
JOIN grid o ON o.id = s.grid_id AND o.version_id = :source_id
JOIN grid n ON n.version_id = :new_id AND n.code = o.code;

-- the version's 重点监管单元网格 (migration 0014u) travel with it: drafts, rollbacks
INSERT INTO unit_grid (version_id, geom, area_m2, extra, /*grid_fields*/)
SELECT :new_id, geom, area_m2, extra, /*grid_fields*/
FROM unit_grid WHERE version_id = :source_id;
