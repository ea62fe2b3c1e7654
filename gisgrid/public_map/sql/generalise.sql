-- Simplify the grids of one version and level once for a band of low zooms (variant wgs84 reads
-- grid, gcj02 reads grid_gcj02). Collapsed geometries are left out: they are invisible at that zoom.
INSERT INTO grid_generalised (grid_id, version_id, variant, zoom, level, geom)
SELECT id, :version_id, :variant, :zoom, :level, g
FROM (SELECT s.grid_id AS id, ST_Simplify(s.geom, :tolerance) AS g
      FROM (SELECT id AS grid_id, geom FROM grid
            WHERE :variant = 'wgs84' AND version_id = :version_id AND level = :level
            UNION ALL
            SELECT grid_id, geom FROM grid_gcj02
            WHERE :variant = 'gcj02' AND version_id = :version_id AND level = :level) s) x
WHERE g IS NOT NULL AND NOT ST_IsEmpty(g)
