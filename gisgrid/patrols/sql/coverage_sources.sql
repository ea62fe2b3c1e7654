-- Active sources and whether any track of [:since, :until) passed within :distance_m metres (geodesic).
-- The geometry test first (a degree radius never smaller than :distance_m at the source's latitude)
-- lets the GiST index on patrol_track.geom find candidate tracks; the geography test decides.
SELECT s.id, s.code, s.name, s.supervision_class, s.grid_codes, ST_X(s.location) AS lon, ST_Y(s.location) AS lat,
       EXISTS (SELECT 1 FROM patrol_track t
               WHERE t.started_at < :until AND t.ended_at >= :since
                 AND ST_DWithin(t.geom, s.location,
                                :distance_m / (110574.0 * greatest(cos(radians(least(abs(ST_Y(s.location)), 89))), 1e-6)) * 1.01)
                 AND ST_DWithin(t.geom::geography, s.location::geography, :distance_m)) AS visited
FROM pollution_source s
WHERE s.active
ORDER BY s.id
