-- tile.sql on the GCJ-02 companion geometry (grid_gcj02), for GCJ-02 base maps.
WITH bounds AS (SELECT ST_TileEnvelope(:z, :x, :y) AS e)
SELECT ST_AsMVT(t, 'grids', 4096, 'geom')
FROM (SELECT g.code, g.name, g.level,
             ST_AsMVTGeom(ST_Transform(ST_Simplify(s.geom, :tolerance), 3857), b.e, 4096, 64, true) AS geom
      FROM grid_gcj02 s JOIN public_grid g ON g.id = s.grid_id, bounds b
      WHERE s.version_id = :version_id AND s.level = :level
        AND s.geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326)) t
WHERE t.geom IS NOT NULL
