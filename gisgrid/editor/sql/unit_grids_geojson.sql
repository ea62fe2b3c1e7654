-- The 重点监管单元网格 of one version for the editor (planners): every stored attribute, private phones
-- included, with the lock counter an attribute edit must quote. A FeatureCollection as text.
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
    'type', 'Feature',
    'geometry', ST_AsGeoJSON(u.geom, 9)::json,
    'properties', json_build_object('kind', 'unit', 'lock_version', u.lock_version, 'area_m2', round(u.area_m2::numeric),
                                    'edited_by', u.edited_by, /*unit_fields_json*/))
    ORDER BY u.code COLLATE "C"), '[]'::json))::text
FROM unit_grid u
WHERE u.version_id = :version_id
