-- Daily or monthly summary of a source's emissions: per bucket (local day or month), station and
-- pollutant, the number of values, mean, min, max of the values of one command (:cn, hourly by default),
-- and how many of them exceeded the limit of that command's averaging period (:period).
-- Buckets are days or months of the local wall-clock time in :zone (HJ 212 DataTime is local time).
SELECT date_trunc(:bucket, v.data_time AT TIME ZONE :zone)::date AS bucket,
       st.id AS station_id, st.mn, st.name AS station_name, v.pollutant,
       lim.name AS pollutant_name, lim.unit, lim.limit_value,
       count(*) AS n,
       avg(CASE WHEN v.cn = 2011 THEN v.rtd ELSE v.avg END) AS mean,
       min(CASE WHEN v.cn = 2011 THEN v.rtd ELSE v.min END) AS low,
       max(CASE WHEN v.cn = 2011 THEN v.rtd ELSE v.max END) AS high,
       count(*) FILTER (WHERE lim.limit_value IS NOT NULL
                         AND (CASE WHEN v.cn = 2011 THEN v.rtd ELSE v.avg END) > lim.limit_value) AS over
FROM monitor_value v
JOIN monitor_station st ON st.id = v.station_id
LEFT JOIN monitor_limit lim ON lim.station_id = st.id AND lim.pollutant = v.pollutant AND lim.period = :period
WHERE st.source_id = :source_id AND v.cn = :cn AND v.data_time >= :since AND v.data_time < :until
GROUP BY 1, st.id, st.mn, st.name, v.pollutant, lim.name, lim.unit, lim.limit_value
ORDER BY 1 DESC, st.mn, v.pollutant
