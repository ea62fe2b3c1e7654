-- One version's grids as GeoJSON features for the editor and history maps (lock counters included).
-- Editors see every stored field, private phones too: /*grid_fields_json*/ is 'name', g.name, ... for
-- each stored column of the field registry (gisgrid/grids/fields.py GRID_COLUMNS).
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
    'type', 'Feature', 'geometry', ST_AsGeoJSON(g.geom, 9)::json,
    'properties', json_build_object(/*grid_fields_json*/,
        'lock', g.lock_version, 'edited_by', g.edited_by, 'area_m2', round(g.area_m2::numeric, 1),
        'leaf', NOT EXISTS (SELECT 1 FROM grid c WHERE c.parent_id = g.id),
        'staff', (SELECT coalesce(json_agg(json_build_object('name', s.name, 'role', s.role, 'phone', s.phone,
                                                            'phone_public', s.phone_public) ORDER BY s.position), '[]')
                  FROM grid_staff s WHERE s.grid_id = g.id)))
    ORDER BY g.level, g.code), '[]'))::text
FROM grid g WHERE g.version_id = :version_id
