-- Recent values of one station for its charts: one row per pollutant, command and time since :since.
-- The charted value is Rtd for real-time data (CN 2011) and Avg for minute/hour/day data.
SELECT pollutant, cn, data_time,
       CASE WHEN cn = 2011 THEN rtd ELSE avg END AS value, flag
FROM monitor_value
WHERE station_id = :station_id AND data_time >= :since AND data_time <= :until
ORDER BY pollutant, cn, data_time
LIMIT 50000
