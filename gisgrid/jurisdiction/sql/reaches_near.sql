-- Reaches within :distance_m metres (geodesic) of the act. The && box (degrees, computed generously by
-- the caller) lets the GiST index on geom pick the candidates before the geography test.
SELECT id, river, ST_AsBinary(geom) AS wkb
FROM river_reach
WHERE geom && ST_Expand(ST_GeomFromWKB(:act, 4326), :margin_deg)
  AND ST_DWithin(geom::geography, ST_GeomFromWKB(:act, 4326)::geography, :distance_m)
ORDER BY id;
