-- The target sources of campaign :id as map points with what the campaign found there: inspections in the
-- period and whether one of them found a violation.
SELECT s.id, s.code, s.name, s.supervision_class, ST_X(s.location) AS lon, ST_Y(s.location) AS lat,
       count(i.id) AS inspections, coalesce(bool_or(i.violation), false) AS violation,
       string_agg(i.findings, '；' ORDER BY i.inspected_on) FILTER (WHERE i.violation) AS findings
FROM campaign k
JOIN pollution_source s ON s.id = ANY (k.source_ids)
LEFT JOIN source_inspection i ON i.source_id = s.id AND i.inspected_on BETWEEN k.starts_on AND k.ends_on
WHERE k.id = :id
GROUP BY s.id
ORDER BY s.code
