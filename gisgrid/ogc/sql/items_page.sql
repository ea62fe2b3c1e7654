-- One items page of /ogc as JSON text, built whole in PostgreSQL (ogc/pages.py): Python splices the array into
-- the FeatureCollection beside links and timeStamp, and never makes a dict per feature.
-- The caller adds two CTEs over the collection's view, both with the request's conditions (bound parameters):
--   page  (rn, cursor, fid, geometry, <the properties>): at most :page_limit + 1 rows in the direction of travel,
--         rn 1 nearest the cursor; geometry is ST_AsGeoJSON text in the asked CRS; the extra row only tells
--         whether more rows follow (it is not serialised);
--   total (n): numberMatched, every matching row whatever the cursor.
-- Features go out in key order whichever way the page was read (:page_step is 1 forward, -1 backward).
-- Properties are row_to_json of a row of the listed columns (/*props*/, from the collection registry), which
-- writes compact JSON in column order, as orjson does; a feature's text is concatenated, not built as jsonb,
-- so the geometry text of PostGIS is kept as it is.
SELECT (SELECT t.n FROM total t) AS matched,
       a.fetched,
       a.features,
       a.keys[1] AS first_key,
       a.keys[array_upper(a.keys, 1)] AS last_key
FROM (
    SELECT count(*) AS fetched,
           string_agg(
               '{"type":"Feature","id":' || to_json(p.fid)::text
               || ',"geometry":' || coalesce(p.geometry, 'null')
               || ',"properties":' || (SELECT row_to_json(r) FROM (SELECT /*props*/) r)::text || '}',
               ',' ORDER BY p.rn * :page_step
           ) FILTER (WHERE p.rn <= :page_limit) AS features,
           array_agg(p.cursor ORDER BY p.rn * :page_step) FILTER (WHERE p.rn <= :page_limit) AS keys
    FROM page p
) a
