-- The public register: every public source (view public_source, migration 0016_disclose) with its point.
-- :source_id NULL lists all of them; otherwise only that one (a non-public id gives no row: a 404).
SELECT s.id, s.code, s.name, s.kind, s.industry, s.address, s.supervision_class,
       s.grid_code, s.grid_name, s.last_inspected_on, s.last_result, s.draws, s.sample_data,
       ST_X(s.location) AS lon, ST_Y(s.location) AS lat,
       EXISTS (SELECT 1 FROM public_station st WHERE st.source_id = s.id) AS monitored
FROM public_source s
WHERE CAST(:source_id AS bigint) IS NULL OR s.id = :source_id
ORDER BY s.code COLLATE "C"
