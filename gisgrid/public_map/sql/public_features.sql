-- The published grids as GeoJSON Feature texts, one row each (open-data download, streamed as is).
-- Same public fields as public_grids.sql, from the view public_grid; JSON is built here so Python never
-- parses geometry. :numbers and :names are the deployment profile's level numbers and names by depth
-- (PostgreSQL arrays count from 1, as stored levels do); a level the profile lacks gets NULL.
SELECT json_build_object(
         'type', 'Feature', 'id', g.code,
         'properties', json_build_object(
             'code', g.code, 'name', g.name, 'level', g.level,
             'level_number', (CAST(:numbers AS int[]))[g.level], 'level_name', (CAST(:names AS text[]))[g.level],
             'parent_code', g.parent_code,
             'entity', g.entity, 'leader_name', g.leader_name, 'leader_title', g.leader_title,
             'leader_phone', g.leader_phone, 'contact_phone', g.contact_phone,
             'duties', g.duties, 'staff', g.staff, 'tasks', g.tasks, 'rewards_penalties', g.rewards_penalties,
             'sample_data', g.sample_data, 'area_m2', round(g.area_m2::numeric),
             'label_lon', ST_X(p.pt), 'label_lat', ST_Y(p.pt)),
         'geometry', ST_AsGeoJSON(g.geom, 7)::json)::text
FROM public_grid g
CROSS JOIN LATERAL (SELECT ST_PointOnSurface(g.geom) AS pt) p
WHERE g.version_id = :version_id
ORDER BY g.code  -- the (version_id, code) index order: rows stream without a sort of the whole set
