-- Active sources and whether any track of [:since, :until) passed within :distance_m metres (geodesic).
WITH tracks AS (
    SELECT geom FROM patrol_track WHERE started_at < :until AND ended_at >= :since
)
SELECT s.id, s.code, s.name, s.supervision_class, s.grid_codes, ST_X(s.location) AS lon, ST_Y(s.location) AS lat,
       EXISTS (SELECT 1 FROM tracks t
               WHERE ST_DWithin(t.geom::geography, s.location::geography, :distance_m)) AS visited
FROM pollution_source s
WHERE s.active
ORDER BY s.id
