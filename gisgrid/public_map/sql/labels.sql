-- Label points (inside each polygon) of the largest grids of one level in a WGS84 bbox.
SELECT g.code, g.name, ST_X(p.pt), ST_Y(p.pt)
FROM (SELECT id, code, name, geom FROM grid
      WHERE version_id = :version_id AND level = :level
        AND geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326)
      ORDER BY area_m2 DESC, code LIMIT :limit) g
CROSS JOIN LATERAL (SELECT ST_PointOnSurface(g.geom) AS pt) p
