-- The public layer of 重点监管单元网格 of one version: a GeoJSON FeatureCollection as text.
-- Reads the view public_unit_grid (migration 0014u), so a private phone is NULL before it leaves the
-- database. designating_name is the name of the grid that designated (and supervises) the unit grid;
-- source_count counts the pollution sources (not their names: they are staff data) inside it.
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
    'type', 'Feature',
    'geometry', ST_AsGeoJSON(u.geom, 7)::json,
    'properties', json_build_object(
        'code', u.code, 'name', u.name, 'kind', 'unit', 'level', u.level, 'parent_code', u.parent_code,
        'designating_name', g.name, 'entity', u.entity,
        'leader', json_build_object('name', u.leader_name, 'title', u.leader_title, 'phone', u.leader_phone),
        'contact_phone', u.contact_phone, 'duties', u.duties, 'sample_data', u.sample_data,
        'area_m2', round(u.area_m2::numeric), 'source_count', (
            SELECT count(*) FROM pollution_source s WHERE ST_Covers(u.geom, s.location))))
    ORDER BY u.code COLLATE "C"), '[]'::json))::text
FROM public_unit_grid u
LEFT JOIN grid g ON g.version_id = u.version_id AND g.code = u.parent_code
WHERE u.version_id = :version_id
