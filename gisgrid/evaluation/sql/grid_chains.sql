-- Every grid of a version with its depth and its chain of codes from the top down (own code last):
-- the scope rule of supervisor results (a leader sees the supervisors of grids in their chain).
SELECT g.code, g.level,
       array(SELECT a.code FROM grid a WHERE a.id = ANY (g.ancestor_ids) ORDER BY a.level) || g.code AS chain
FROM grid g
WHERE g.version_id = :version_id
