-- Area (m²) of a unit grid's polygon outside its designating grid in one version, and that grid's level;
-- no row when the version has no grid with that code. A unit grid must lie inside the grid that designates it.
SELECT g.level,
       ST_Area(ST_Difference(ST_GeomFromWKB(:wkb, 4326), g.geom)::geography) AS outside_m2
FROM grid g
WHERE g.version_id = :version_id AND g.code = :parent_code
