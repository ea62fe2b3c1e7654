-- The river network as GeoJSON features, optionally only the reaches meeting a lon/lat box.
SELECT id, river, code, source, sample_data, ST_AsGeoJSON(geom, 7) AS geometry
FROM river_reach
WHERE CAST(:minx AS double precision) IS NULL
   OR geom && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)
ORDER BY id;
