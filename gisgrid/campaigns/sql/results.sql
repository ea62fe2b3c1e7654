-- The rolled-up results of campaign :id within its period: inspections of its target sources (how many, how
-- many sources, how many found a violation) and the cases reported in its area (grids of area_codes, or
-- inside the drawn area), with the cases opened from those inspections. Dates are China's (UTC+8).
WITH k AS (SELECT * FROM campaign WHERE id = :id),
insp AS (
    SELECT i.* FROM source_inspection i, k
    WHERE i.source_id = ANY (k.source_ids) AND i.inspected_on BETWEEN k.starts_on AND k.ends_on
),
cases AS (
    SELECT c.id FROM incident c, k
    WHERE (c.reported_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN k.starts_on AND k.ends_on
      AND (c.grid_codes && k.area_codes OR (k.area IS NOT NULL AND ST_Covers(k.area, c.geom)))
)
SELECT (SELECT cardinality(source_ids) FROM k) AS targets,
       (SELECT count(*) FROM insp) AS inspections,
       (SELECT count(DISTINCT source_id) FROM insp) AS sources_inspected,
       (SELECT count(*) FROM insp WHERE violation) AS violations,
       (SELECT count(*) FROM insp WHERE incident_id IS NOT NULL) AS cases_from_inspections,
       (SELECT count(*) FROM cases) AS cases
