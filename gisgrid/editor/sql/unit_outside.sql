-- A drawn unit-grid outline against its designating grid in one version: that grid's level, the drawn
-- area and the area outside the grid (m²), and the outline clipped to the grid (WKB). No row when the
-- version has no grid with that code. A unit grid must lie inside the grid that designates it; a hand-drawn
-- outline snapped onto that grid's edge overshoots by a few m², which the editor clips away.
SELECT g.level,
       ST_Area(d.geom::geography) AS drawn_m2,
       ST_Area(ST_Difference(d.geom, g.geom)::geography) AS outside_m2,
       ST_AsBinary(ST_Multi(ST_CollectionExtract(ST_Intersection(d.geom, g.geom), 3))) AS clipped
FROM grid g, (SELECT ST_GeomFromWKB(:wkb, 4326) AS geom) AS d
WHERE g.version_id = :version_id AND g.code = :parent_code
