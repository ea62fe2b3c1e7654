-- Copy the stored tiles of the version a publication replaced to the new version where nothing drawn changed:
-- a tile shows code, name, level and geometry of the grids in its box (plus its 64/4096 buffer), so a tile
-- whose box meets none of the changed boxes (arrays :w :s :e :n, tile_changed_boxes.sql) is the same tile.
-- Only :levels are copied (those drawn at the same zooms in both versions).
WITH changed AS (
    SELECT ST_MakeEnvelope(b.w, b.s, b.e, b.n, 4326) AS box
    FROM unnest(CAST(:w AS float8[]), CAST(:s AS float8[]), CAST(:e AS float8[]), CAST(:n AS float8[]))
         AS b(w, s, e, n)
)
INSERT INTO tile_cache (version_id, variant, schema, level, z, x, y, body)
SELECT :new_id, t.variant, t.schema, t.level, t.z, t.x, t.y, t.body
FROM tile_cache t
WHERE t.version_id = :old_id AND t.schema = :schema AND t.level = ANY(CAST(:levels AS int[]))
  AND NOT EXISTS (
      SELECT 1 FROM changed c
      WHERE c.box && ST_Transform(ST_TileEnvelope(t.z, t.x, t.y, margin => 64.0 / 4096), 4326))
ON CONFLICT DO NOTHING
