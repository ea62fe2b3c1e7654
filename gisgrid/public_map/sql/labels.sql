-- Label points (inside each polygon) of the largest grids of one level in a WGS84 bbox,
-- largest first: the map keeps the first of any labels that would overlap on screen.
SELECT g.code, g.name, ST_X(p.pt), ST_Y(p.pt)
FROM (SELECT id, code, name, geom, area_m2 FROM public_grid
      WHERE version_id = :version_id AND level = :level
        AND geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326)
      ORDER BY area_m2 DESC, code LIMIT :limit) g
CROSS JOIN LATERAL (SELECT ST_PointOnSurface(g.geom) AS pt) p
ORDER BY g.area_m2 DESC, g.code
