-- Monthly emission summary of public sources (all of them when :source_id is NULL): per month, public
-- station and pollutant the mean and maximum of the hourly data (CN 2061), the hourly limit, and the
-- exceedance days (local days with at least one hourly average over the limit).
WITH days AS (
  SELECT st.source_id, st.id AS station_id, st.name AS station_name, v.pollutant,
         (v.data_time AT TIME ZONE :zone)::date AS day,
         avg(v.avg) AS mean, max(v.avg) AS high, count(*) AS n,
         bool_or(lim.limit_value IS NOT NULL AND v.avg > lim.limit_value) AS exceeded,
         max(lim.limit_value) AS limit_value, max(lim.name) AS pollutant_name, max(lim.unit) AS unit
  FROM public_station st
  JOIN monitor_value v ON v.station_id = st.id AND v.cn = 2061
  LEFT JOIN monitor_limit lim ON lim.station_id = st.id AND lim.pollutant = v.pollutant AND lim.period = 'hour'
  WHERE (CAST(:source_id AS bigint) IS NULL OR st.source_id = :source_id)
    AND v.data_time >= :since AND v.data_time < :until
  GROUP BY st.source_id, st.id, st.name, v.pollutant, 5
)
SELECT to_char(date_trunc('month', d.day), 'YYYY-MM') AS month,
       d.source_id, s.code AS source_code, s.name AS source_name,
       ST_X(s.location) AS lon, ST_Y(s.location) AS lat,
       d.station_id, d.station_name, d.pollutant, max(d.pollutant_name) AS pollutant_name, max(d.unit) AS unit,
       max(d.limit_value) AS limit_value,
       sum(d.mean * d.n) / sum(d.n) AS mean, max(d.high) AS high, sum(d.n)::int AS n,
       count(*) FILTER (WHERE d.exceeded) AS exceedance_days, count(*) AS days
FROM days d
JOIN public_source s ON s.id = d.source_id
GROUP BY 1, d.source_id, s.code, s.name, s.location, d.station_id, d.station_name, d.pollutant
ORDER BY s.code COLLATE "C", d.station_id, d.pollutant, 1
