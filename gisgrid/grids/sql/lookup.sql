-- Point -> grid chain in the published version, plus grids near the point.
-- Rule for points on a shared edge (covered by several grids): the deepest level
-- wins, then the smallest code in code-point order (COLLATE "C": the order of Python's str and of
-- numpy in grids/batch.py, whatever the database's collation). Parameters: :lon :lat :radius_m :radius_deg
-- Grid fields come from the view public_grid (migration 0011): private phones are NULL there.
-- Returns JSON as text (version, chain, grid = the leaf, near_boundary, unit_grids): the API sends it as is.
-- unit_grids: the 重点监管单元网格 (overlays, not part of the tiling; migration 0014u) covering the point,
-- from the view public_unit_grid, found by the GiST index ix_unit_grid_geom in the same round trip.
WITH pub AS (
    SELECT id, label, published_at FROM boundary_version WHERE status = 'published'
), pt AS (
    SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g
), leaf AS (
    SELECT p.grid_id
    FROM grid_part p, pt, pub
    WHERE p.version_id = pub.id AND ST_Covers(p.geom, pt.g)
    ORDER BY p.level DESC, p.code COLLATE "C"
    LIMIT 1
), chain AS (
    SELECT g.*
    FROM leaf, grid lg, public_grid g
    WHERE lg.id = leaf.grid_id AND g.id = ANY (lg.ancestor_ids || lg.id)
), near AS (
    SELECT p.grid_id, min(ST_Distance(p.geom::geography, pt.g::geography)) AS distance_m
    FROM grid_part p, pt, pub
    WHERE p.version_id = pub.id
      AND ST_DWithin(p.geom, pt.g, :radius_deg)
      AND p.grid_id NOT IN (SELECT id FROM chain)
    GROUP BY p.grid_id
)
SELECT r.version::text AS version, r.chain::text AS chain, (r.chain -> -1)::text AS grid,
       r.near_boundary::text AS near_boundary, r.unit_grids::text AS unit_grids
FROM (SELECT
    (SELECT json_build_object('id', id, 'label', label, 'published_at', published_at) FROM pub) AS version,
    (SELECT json_agg(json_build_object(
        'code', c.code, 'name', c.name, 'level', c.level, 'entity', c.entity,
        'leader', json_build_object(
            'name', c.leader_name, 'title', c.leader_title,
            'phone', c.leader_phone),
        'contact_phone', c.contact_phone, 'staff', c.staff,
        'duties', c.duties, 'sample_data', c.sample_data) ORDER BY c.level)
     FROM chain c) AS chain,
    (SELECT coalesce(json_agg(json_build_object(
        'code', g.code, 'name', g.name, 'level', g.level, 'entity', g.entity,
        'distance_m', round(n.distance_m::numeric, 1)) ORDER BY n.distance_m, g.level DESC, g.code COLLATE "C"), '[]'::json)
     FROM near n JOIN public_grid g ON g.id = n.grid_id
     WHERE n.distance_m <= :radius_m) AS near_boundary,
    (SELECT coalesce(json_agg(json_build_object(
        'code', u.code, 'name', u.name, 'kind', 'unit', 'level', u.level, 'parent_code', u.parent_code,
        'entity', u.entity,
        'leader', json_build_object('name', u.leader_name, 'title', u.leader_title, 'phone', u.leader_phone),
        'contact_phone', u.contact_phone, 'duties', u.duties, 'sample_data', u.sample_data)
        ORDER BY u.code COLLATE "C"), '[]'::json)
     FROM public_unit_grid u, pt, pub
     WHERE u.version_id = pub.id AND ST_Covers(u.geom, pt.g)) AS unit_grids
     OFFSET 0) AS r  -- OFFSET 0: build chain once, not once per use
