-- Store a built tile; a tile stored meanwhile (the fill job, another worker) is the same bytes: keep it.
INSERT INTO tile_cache (version_id, variant, schema, level, z, x, y, body)
VALUES (:version_id, :variant, :schema, :level, :z, :x, :y, :body)
ON CONFLICT DO NOTHING
