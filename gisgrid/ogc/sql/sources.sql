-- OGC collection "sources" (公开污染源): the public register's rows, read from view public_source only
-- (migration 0016_disclose), so a source that is not public or not active is never a feature, and no private
-- column (permits, contacts, class_reason, grid chain) can be returned or matched by a filter.
-- Dates go out as ISO text (YYYY-MM-DD), so CQL2 compares them as strings (ISO order is date order).
-- One row per source: the public columns (each a queryable, see ogc/points.py) and the point as geom.
SELECT s.id, s.code, s.name, s.kind, s.industry, s.address, s.supervision_class,
       s.grid_code, s.grid_name, to_char(s.last_inspected_on, 'YYYY-MM-DD') AS last_inspected_on, s.last_result,
       s.location AS geom
FROM public_source s
