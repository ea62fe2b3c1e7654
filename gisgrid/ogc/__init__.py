"""OGC API – Features (Parts 1–3: core, GeoJSON, HTML, OpenAPI 3.0, CRS, CQL2) and Tiles at /ogc (docs: public-map)."""
