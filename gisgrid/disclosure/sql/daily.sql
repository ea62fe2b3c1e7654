-- Daily averages of a public source's hourly data (HJ 212 CN 2061) per public station and pollutant,
-- against the hourly limit (排放限值) of the station, with the number of hours over that limit.
-- Days are local days in :zone (HJ 212 DataTime is local time). Only public_station rows: a station
-- not marked public, or of a source not marked public, gives nothing.
SELECT (v.data_time AT TIME ZONE :zone)::date AS day,
       st.id AS station_id, st.name AS station_name, v.pollutant,
       lim.name AS pollutant_name, lim.unit, lim.limit_value,
       avg(v.avg) AS mean, max(v.avg) AS high, count(*) AS n,
       count(*) FILTER (WHERE lim.limit_value IS NOT NULL AND v.avg > lim.limit_value) AS over
FROM public_station st
JOIN monitor_value v ON v.station_id = st.id AND v.cn = 2061
LEFT JOIN monitor_limit lim ON lim.station_id = st.id AND lim.pollutant = v.pollutant AND lim.period = 'hour'
WHERE st.source_id = :source_id AND v.data_time >= :since AND v.data_time < :until
GROUP BY 1, st.id, st.name, v.pollutant, lim.name, lim.unit, lim.limit_value
ORDER BY st.id, v.pollutant, 1
