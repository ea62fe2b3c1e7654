-- Boxes (grown by :grow degrees: the tile buffer is inside the tile envelope's margin, the GCJ-02 offset
-- under 0.01°) of every grid that differs between two versions in what a tile draws: code, name, level or
-- geometry (geometry "=" compares every vertex), old and new shape both, added and removed grids too.
-- At most :max_rows + 1 rows: more changes than that and the caller builds the version's tiles anew.
WITH changed AS (
    SELECT o.geom FROM grid o
    LEFT JOIN grid n ON n.version_id = :new_id AND n.code = o.code
    WHERE o.version_id = :old_id
      AND (n.id IS NULL OR n.name IS DISTINCT FROM o.name OR n.level <> o.level OR NOT n.geom = o.geom)
    UNION ALL
    SELECT n.geom FROM grid n
    LEFT JOIN grid o ON o.version_id = :old_id AND o.code = n.code
    WHERE n.version_id = :new_id
      AND (o.id IS NULL OR o.name IS DISTINCT FROM n.name OR o.level <> n.level OR NOT n.geom = o.geom)
    LIMIT :max_rows + 1
)
SELECT ST_XMin(geom) - :grow, ST_YMin(geom) - :grow, ST_XMax(geom) + :grow, ST_YMax(geom) + :grow FROM changed
