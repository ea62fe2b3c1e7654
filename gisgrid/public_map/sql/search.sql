-- Grids whose code starts with :q, or whose name, entity, first responsible person or a staff
-- member's name contains it (:pattern is '%q%' with LIKE wildcards escaped). Exact hits first.
SELECT g.code, g.name, g.level, g.entity, g.leader_name, p.name AS parent_name
FROM public_grid g
LEFT JOIN public_grid p ON p.id = g.parent_id
WHERE g.version_id = :version_id
  AND (g.code LIKE :prefix
       OR g.name ILIKE :pattern OR g.entity ILIKE :pattern OR g.leader_name ILIKE :pattern
       OR EXISTS (SELECT 1 FROM public_grid_staff s WHERE s.grid_id = g.id AND s.name ILIKE :pattern))
ORDER BY (g.code = :q OR g.name = :q) DESC, g.level, g.code
LIMIT :limit
