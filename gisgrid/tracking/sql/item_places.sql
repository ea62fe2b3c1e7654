-- Where each tracked item lies on a map, found through what it is about:
--   a case → the case's point; a transfer → its case's point; a source → the source's location;
--   a grid → a point inside that grid (ST_PointOnSurface: a crescent-shaped grid still gets a point of
--   its own) and its outline;
--   anything else (department, meeting, check, campaign, another domain's kind) or a subject that is gone
--   → a point inside the owner's grid (the last code of the item's chain), so no item in scope is dropped.
-- :ids the items (already scoped and filtered), :v the published boundary version.
-- about_id is text (a grid code or a number), so ids are compared as text.
WITH item AS (
    SELECT t.id, t.about_kind, t.about_id, t.chain[cardinality(t.chain)] AS owner_code
    FROM tracked_item t
    WHERE t.id = ANY(:ids)
),
placed AS (
    SELECT i.id,
           COALESCE(c.geom, tc.geom, s.location, ST_PointOnSurface(ag.geom), ST_PointOnSurface(og.geom)) AS point,
           CASE WHEN c.geom IS NOT NULL THEN 'case'
                WHEN tc.geom IS NOT NULL THEN 'transfer'
                WHEN s.location IS NOT NULL THEN 'source'
                WHEN ag.geom IS NOT NULL THEN 'grid'
                WHEN og.geom IS NOT NULL THEN 'owner_grid' END AS located_by,
           ag.geom AS outline
    FROM item i
    LEFT JOIN incident c ON i.about_kind = 'case' AND c.id::text = i.about_id
    LEFT JOIN incident_transfer tr ON i.about_kind = 'transfer' AND tr.id::text = i.about_id
    LEFT JOIN incident tc ON tc.id = tr.incident_id
    LEFT JOIN pollution_source s ON i.about_kind = 'source' AND s.id::text = i.about_id
    LEFT JOIN grid ag ON i.about_kind = 'grid' AND ag.version_id = :v AND ag.code = i.about_id
    LEFT JOIN grid og ON og.version_id = :v AND og.code = i.owner_code
)
SELECT id, located_by, ST_X(point) AS lon, ST_Y(point) AS lat,
       ST_AsGeoJSON(ST_SimplifyPreserveTopology(outline, 0.00002), 6) AS outline
FROM placed
WHERE point IS NOT NULL
