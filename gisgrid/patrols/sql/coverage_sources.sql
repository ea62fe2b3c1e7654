-- Active sources and whether a track walked in the period passed within :distance_m metres (geodesic).
-- :track_ids/:track_wkts are the tracks clipped to the period's time window (gisgrid.patrols.clip).
-- The geometry test on the whole stored track first (a degree radius never smaller than :distance_m
-- at the source's latitude; the clipped part lies on the whole track) lets the GiST index on
-- patrol_track.geom find candidate tracks; the geography test on the clipped part decides.
WITH clipped AS MATERIALIZED (
    SELECT c.id, ST_GeomFromEWKT(c.wkt) AS geom
    FROM unnest(CAST(:track_ids AS int[]), CAST(:track_wkts AS text[])) AS c(id, wkt)
)
SELECT s.id, s.code, s.name, s.supervision_class, s.grid_codes, ST_X(s.location) AS lon, ST_Y(s.location) AS lat,
       EXISTS (SELECT 1 FROM patrol_track t JOIN clipped c ON c.id = t.id
               WHERE t.started_at < :until AND t.ended_at >= :since
                 AND ST_DWithin(t.geom, s.location,
                                :distance_m / (110574.0 * greatest(cos(radians(least(abs(ST_Y(s.location)), 89))), 1e-6)) * 1.01)
                 AND ST_DWithin(c.geom::geography, s.location::geography, :distance_m)) AS visited
FROM pollution_source s
WHERE s.active
ORDER BY s.id
