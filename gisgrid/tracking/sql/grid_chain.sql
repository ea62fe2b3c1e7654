-- The chain of grid codes from the top grid down to :code in boundary version :v.
-- grid.ancestor_ids holds the ids of every ancestor (filled when a version is built), so one lookup
-- suffices; ordering by level puts the top grid first.
SELECT array_agg(a.code ORDER BY a.level)
FROM grid g
JOIN grid a ON a.id = ANY (g.ancestor_ids || g.id)
WHERE g.version_id = :v AND g.code = :code
