-- The unit grids (重点监管单元网格) of version :version_id for the in-memory lookup (grids/resident.py):
-- geometry and the element lookup.sql puts in unit_grids, from the view public_unit_grid, in the order
-- lookup.sql lists them (code in code-point order).
SELECT ST_AsBinary(u.geom) AS wkb,
       json_build_object(
        'code', u.code, 'name', u.name, 'kind', 'unit', 'level', u.level, 'parent_code', u.parent_code,
        'entity', u.entity,
        'leader', json_build_object('name', u.leader_name, 'title', u.leader_title, 'phone', u.leader_phone),
        'contact_phone', u.contact_phone, 'duties', u.duties, 'sample_data', u.sample_data)::text AS body
FROM public_unit_grid u
WHERE u.version_id = :version_id
ORDER BY u.code COLLATE "C"
