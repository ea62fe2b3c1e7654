-- OGC collection "hazards" (环境安全隐患): the hazards marked public, read from view public_hazard only
-- (migration 0016_disclose): internal notes, the author and the grid chain are not in the view.
-- Dates go out as ISO text (YYYY-MM-DD), so CQL2 compares them as strings (ISO order is date order).
-- One row per hazard: the public columns (each a queryable, see ogc/points.py) and the point as geom.
SELECT h.id, h.kind, h.description, h.status, to_char(h.deadline, 'YYYY-MM-DD') AS deadline,
       to_char(h.created_on, 'YYYY-MM-DD') AS created_on,
       h.grid_code, h.grid_name,
       h.location AS geom
FROM public_hazard h
