-- The published grids as GeoJSON Feature texts, one row each (open-data download, streamed as is).
-- Same public fields as public_grids.sql; JSON is built here so Python never parses geometry.
SELECT json_build_object(
         'type', 'Feature', 'id', g.code,
         'properties', json_build_object(
             'code', g.code, 'name', g.name, 'level', g.level, 'parent_code', g.parent_code,
             'entity', g.entity, 'leader_name', g.leader_name, 'leader_title', g.leader_title,
             'leader_phone', CASE WHEN g.leader_phone_public THEN g.leader_phone END,
             'contact_phone', CASE WHEN g.contact_phone_public THEN g.contact_phone END,
             'duties', g.duties,
             'staff', (SELECT coalesce(json_agg(json_build_object(
                           'name', s.name, 'role', s.role,
                           'phone', CASE WHEN s.phone_public THEN s.phone END) ORDER BY s.position), '[]'::json)
                       FROM grid_staff s WHERE s.grid_id = g.id),
             'sample_data', g.sample_data, 'area_m2', round(g.area_m2::numeric),
             'label_lon', ST_X(p.pt), 'label_lat', ST_Y(p.pt)),
         'geometry', ST_AsGeoJSON(g.geom, 7)::json)::text
FROM grid g
CROSS JOIN LATERAL (SELECT ST_PointOnSurface(g.geom) AS pt) p
WHERE g.version_id = :version_id
ORDER BY g.code  -- the (version_id, code) index order: rows stream without a sort of the whole set
