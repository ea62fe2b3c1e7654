-- How many active sources in a user's grids wait for an inspection: the 待办 header badge, run on every page.
-- A source waits when it was never inspected, or when its next inspection is due within :soon_days
-- (overdue included): the same due rule as due.sql (last inspection + the class's interval). Only the
-- sources in scope are read (GIN index on grid_codes) and each one's last inspection comes from the
-- (source_id, inspected_on) index, so the count does not grow with the whole registry.
SELECT count(*)
FROM pollution_source s
LEFT JOIN inspection_frequency f ON f.supervision_class = s.supervision_class
LEFT JOIN LATERAL (
    SELECT max(i.inspected_on) AS last_on FROM source_inspection i WHERE i.source_id = s.id
) l ON true
WHERE s.active
  AND (:all_grids OR s.grid_codes && CAST(:codes AS text[]))
  AND (l.last_on IS NULL
       OR (l.last_on + make_interval(months => coalesce(f.interval_months,
              CASE s.supervision_class WHEN 'A' THEN 12 WHEN 'B' THEN 3 ELSE 1 END)))::date - :today <= :soon_days)
