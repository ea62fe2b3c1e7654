-- How many grids public_grids.sql would return without paging (OGC numberMatched).
SELECT count(*)
FROM public_grid g
WHERE g.version_id = :version_id
  AND (CAST(:codes AS text[]) IS NULL OR g.code = ANY (CAST(:codes AS text[])))
  AND (CAST(:level AS integer) IS NULL OR g.level = :level)
  AND (CAST(:w AS float8) IS NULL OR ST_Intersects(g.geom, ST_MakeEnvelope(:w, :s, :e, :n, 4326)))
