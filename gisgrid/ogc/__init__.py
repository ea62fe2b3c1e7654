"""OGC API – Features (Part 1: Core, GeoJSON) for the published grid layer, at /ogc."""
