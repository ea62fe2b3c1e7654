-- The public hazards (view public_hazard, migration 0016_disclose): never the internal notes, never one
-- not marked public. Open ones first, then by deadline.
SELECT h.id, h.kind, h.description, h.status, h.deadline, h.grid_code, h.grid_name, h.created_on,
       h.sample_data, ST_X(h.location) AS lon, ST_Y(h.location) AS lat
FROM public_hazard h
ORDER BY (h.status = 'rectified'), h.deadline NULLS LAST, h.id
