-- The 重点监管单元网格 of one version covering a point, as codes in code-point order (COLLATE "C").
-- Used at case intake: the case is copied to each unit grid and so to its designating (supervising) grid.
-- ix_unit_grid_geom (GiST) finds the candidates; the few of other versions are filtered afterwards.
SELECT coalesce(array_agg(u.code ORDER BY u.code COLLATE "C"), '{}')
FROM unit_grid u
WHERE u.version_id = :version_id
  AND ST_Covers(u.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
