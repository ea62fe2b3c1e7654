-- The computable items of a 督查 check of grid :code in version :v, as one row.
-- 五定: the grid and every grid under it (ancestor_ids holds the checked grid's id) with the responsible
--   entity, leader, a phone, duties, tasks and 奖惩 all filled in.
-- Patrols: tracks since :since crossing the checked grid, and the lowest-level grids under it that
--   at least one of those tracks crossed (coverage by grid, not by metre).
-- Cases: cases of the grid's chain reported since :since; closed (closed or evaluated); open past
--   their deadline (dispatched or in progress, deadline before :today).
WITH target AS (
    SELECT id, geom, level FROM grid WHERE version_id = :v AND code = :code
), tree AS (
    SELECT g.* FROM grid g, target t
    WHERE g.version_id = :v AND (g.id = t.id OR t.id = ANY (g.ancestor_ids))
), leaves AS (
    SELECT * FROM tree WHERE NOT EXISTS (SELECT 1 FROM grid c WHERE c.parent_id = tree.id)
), tracks AS (
    SELECT p.id, p.geom FROM patrol_track p, target t
    WHERE p.started_at >= :since AND ST_Intersects(p.geom, t.geom)
)
SELECT
    (SELECT count(*) FROM tree) AS grids,
    (SELECT count(*) FROM tree
      WHERE coalesce(entity, '') <> '' AND coalesce(leader_name, '') <> ''
        AND coalesce(leader_phone, contact_phone, '') <> '' AND coalesce(duties, '') <> ''
        AND coalesce(tasks, '') <> '' AND coalesce(rewards_penalties, '') <> '') AS wuding_complete,
    (SELECT count(*) FROM tracks) AS patrols,
    (SELECT count(*) FROM leaves) AS leaves,
    (SELECT count(*) FROM leaves l WHERE EXISTS (SELECT 1 FROM tracks k WHERE ST_Intersects(k.geom, l.geom)))
        AS leaves_patrolled,
    (SELECT count(*) FROM incident i WHERE :code = ANY (i.grid_codes) AND i.reported_at >= :since) AS cases,
    (SELECT count(*) FROM incident i WHERE :code = ANY (i.grid_codes) AND i.reported_at >= :since
        AND i.state IN ('closed', 'evaluated')) AS cases_closed,
    (SELECT count(*) FROM incident i WHERE :code = ANY (i.grid_codes)
        AND i.state IN ('dispatched', 'in_progress') AND i.deadline < :today) AS cases_overdue
