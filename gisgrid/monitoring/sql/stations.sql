-- Stations in a user's scope with their source, location and status at :now.
-- Scope: the source's grid chain overlaps the user's grids (:codes), or :everywhere (admin, handlers).
-- Status: offline when silent longer than the station's interval (or never heard from since it was
-- registered that long ago), exceeding when an exceedance episode is open, else normal. Computed
-- here rather than read from the alerts, so the map is right even between two silence checks.
SELECT st.id, st.mn, st.name, st.medium, st.interval_s, st.public, st.active, st.source_id,
       state.last_seen_at, st.case_category,
       ST_X(st.location) AS lon, ST_Y(st.location) AS lat,
       src.code AS source_code, src.name AS source_name, src.grid_codes,
       (SELECT count(*) FROM monitor_alert a
         WHERE a.station_id = st.id AND a.kind = 'exceedance' AND a.ended_at IS NULL) AS open_exceedances,
       CASE
         WHEN NOT st.active THEN 'inactive'
         WHEN coalesce(state.last_seen_at, st.created_at) < :now - make_interval(secs => st.interval_s) THEN 'offline'
         WHEN EXISTS (SELECT 1 FROM monitor_alert a
                       WHERE a.station_id = st.id AND a.kind = 'exceedance' AND a.ended_at IS NULL) THEN 'exceeding'
         ELSE 'normal'
       END AS status
FROM monitor_station st
JOIN pollution_source src ON src.id = st.source_id
LEFT JOIN monitor_station_state state ON state.station_id = st.id
WHERE (:everywhere OR src.grid_codes && CAST(:codes AS text[]))
  AND (CAST(:source_id AS integer) IS NULL OR st.source_id = :source_id)
ORDER BY src.code, st.mn
