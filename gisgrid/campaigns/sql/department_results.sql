-- Per participating department of campaign :id, what the data shows within the campaign's period:
--   inspections of the campaign's target sources recorded by the department's people (inspector's account),
--   the violations those inspections found (findings), and the cases reported in the campaign's area that
--   were assigned to the department (department_codes). Dates are China's (UTC+8).
-- Departments with nothing recorded still get a row of zeros (the unnest drives the query).
WITH k AS (SELECT * FROM campaign WHERE id = :id),
d AS (SELECT unnest(k.departments) AS code FROM k),
insp AS (
    SELECT dep.code, i.violation
    FROM source_inspection i
    JOIN app_user u ON u.id = i.inspector_id
    JOIN department dep ON dep.id = u.department_id
    JOIN k ON i.source_id = ANY (k.source_ids) AND i.inspected_on BETWEEN k.starts_on AND k.ends_on
),
cases AS (
    SELECT unnest(c.department_codes) AS code
    FROM incident c, k
    WHERE (c.reported_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN k.starts_on AND k.ends_on
      AND (c.grid_codes && k.area_codes OR (k.area IS NOT NULL AND ST_Covers(k.area, c.geom)))
)
SELECT d.code AS department_code,
       (SELECT count(*) FROM insp WHERE insp.code = d.code) AS inspections,
       (SELECT count(*) FROM insp WHERE insp.code = d.code AND insp.violation) AS findings,
       (SELECT count(*) FROM cases WHERE cases.code = d.code) AS cases
FROM d
ORDER BY array_position((SELECT departments FROM k), d.code)
