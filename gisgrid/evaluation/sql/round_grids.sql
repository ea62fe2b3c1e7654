-- The grids a new evaluation round covers: every grid of the version between depth 2 and :lowest_depth
-- (depth 1 is the grid whose leaders review the level below it; nobody above it in the system reviews
-- it), each with its chain of codes from the top down, its own code last (the scope rule's chain).
SELECT g.code, g.name, g.level, g.parent_code,
       array(SELECT a.code FROM grid a WHERE a.id = ANY (g.ancestor_ids) ORDER BY a.level) || g.code AS chain
FROM grid g
WHERE g.version_id = :version_id AND g.level BETWEEN 2 AND :lowest_depth
ORDER BY g.level, g.code COLLATE "C"
