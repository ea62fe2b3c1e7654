-- Benchmark baseline: the same tile without simplification (ST_AsMVTGeom alone).
WITH bounds AS (SELECT ST_TileEnvelope(:z, :x, :y) AS e)
SELECT ST_AsMVT(t, 'grids', 4096, 'geom')
FROM (SELECT g.code, g.name, g.level, ST_AsMVTGeom(ST_Transform(g.geom, 3857), b.e, 4096, 64, true) AS geom
      FROM public_grid g, bounds b
      WHERE g.version_id = :version_id AND g.level = :level
        AND g.geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326)) t
WHERE t.geom IS NOT NULL
