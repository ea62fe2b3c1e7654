-- Every active source with its last inspection and the day the next one is due.
-- The interval per class comes from inspection_frequency (A 12, B 3, C 1 months by default);
-- the base is the last inspection, or the registration day for a source never inspected.
-- PostgreSQL's date + interval 'n months' clamps to the month's end (31 Jan + 1 month = 28/29 Feb),
-- exactly as gisgrid.sources.rules.add_months does.
WITH last AS (
    SELECT source_id, max(inspected_on) AS last_on, count(*) AS inspections
    FROM source_inspection GROUP BY source_id
), due AS (
    SELECT s.id, s.code, s.name, s.kind, s.supervision_class, s.grid_codes, s.sample_data,
           ST_X(s.location) AS lon, ST_Y(s.location) AS lat,
           l.last_on, coalesce(l.inspections, 0) AS inspections,
           coalesce(f.interval_months, CASE s.supervision_class WHEN 'A' THEN 12 WHEN 'B' THEN 3 ELSE 1 END)
               AS interval_months,
           (coalesce(l.last_on, s.registered_on)
            + make_interval(months => coalesce(f.interval_months,
                  CASE s.supervision_class WHEN 'A' THEN 12 WHEN 'B' THEN 3 ELSE 1 END)))::date AS due_on
    FROM pollution_source s
    LEFT JOIN last l ON l.source_id = s.id
    LEFT JOIN inspection_frequency f ON f.supervision_class = s.supervision_class
    WHERE s.active
)
SELECT *, CASE WHEN due_on < :today THEN 'overdue'
               WHEN due_on - :today <= :soon_days THEN 'due_soon'
               ELSE 'ok' END AS status,
       (:today - due_on) AS days_overdue
FROM due
ORDER BY due_on, id
