-- The texts of the in-memory lookup (grids/resident.py) for version :version_id: every grid's chain
-- element exactly as lookup.sql builds it, from the view public_grid (private phones are NULL there),
-- with its parent, so a worker assembles any chain without asking the database.
SELECT g.id, g.parent_id, g.level,
       json_build_object(
        'code', g.code, 'name', g.name, 'level', g.level, 'entity', g.entity,
        'leader', json_build_object(
            'name', g.leader_name, 'title', g.leader_title,
            'phone', g.leader_phone),
        'contact_phone', g.contact_phone, 'staff', g.staff,
        'duties', g.duties, 'sample_data', g.sample_data)::text AS body
FROM public_grid g
WHERE g.version_id = :version_id
ORDER BY g.id
