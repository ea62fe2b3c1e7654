-- Hazards a staff member may see: all of them (:everywhere: admin, department handlers) or those whose
-- grid chain meets the user's grids (a township's leader sees its villages' hazards). Newest first.
SELECT h.id, h.kind, h.description, h.notes, h.status, h.deadline, h.public, h.grid_codes,
       h.created_by, h.created_on, h.sample_data, ST_X(h.location) AS lon, ST_Y(h.location) AS lat
FROM hazard h
WHERE :everywhere OR h.grid_codes && CAST(:codes AS text[])
ORDER BY h.created_on DESC, h.id DESC
LIMIT 2000
