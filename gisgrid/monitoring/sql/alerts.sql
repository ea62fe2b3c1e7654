-- Alerts (exceedance episodes and silences) of stations in a user's scope, newest first.
-- :open_only keeps the ones still open; scope as in stations.sql.
SELECT a.id, a.kind, a.pollutant, a.period, a.started_at, a.last_at, a.ended_at, a.count,
       a.max_value, a.limit_value, a.incident_id,
       st.id AS station_id, st.mn, st.name AS station_name,
       src.id AS source_id, src.code AS source_code, src.name AS source_name, src.grid_codes
FROM monitor_alert a
JOIN monitor_station st ON st.id = a.station_id
JOIN pollution_source src ON src.id = st.source_id
WHERE (:everywhere OR src.grid_codes && CAST(:codes AS text[]))
  AND (NOT :open_only OR a.ended_at IS NULL)
  AND (CAST(:source_id AS integer) IS NULL OR st.source_id = :source_id)
ORDER BY a.ended_at IS NULL DESC, a.started_at DESC
LIMIT :limit
