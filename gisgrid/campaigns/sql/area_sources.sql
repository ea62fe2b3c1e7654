-- Active sources in a campaign's area: supervised by one of the area grids (or a grid under them), or lying
-- inside the drawn area (:area is WKT in WGS84, or NULL).
SELECT s.id FROM pollution_source s
WHERE s.active
  AND (s.grid_codes && CAST(:codes AS text[])
       OR (CAST(:area AS text) IS NOT NULL AND ST_Covers(ST_GeomFromText(CAST(:area AS text), 4326), s.location)))
ORDER BY s.id
