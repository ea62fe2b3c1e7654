-- One items page of /ogc as JSON text, built whole in PostgreSQL (ogc/pages.py): Python splices the array into
-- the FeatureCollection beside links and timeStamp, and never makes a dict per feature.
-- The caller adds two CTEs over the collection's view, with the request's conditions as bound parameters:
--   ids   (id, rn): at most :page_limit + 1 rows in the direction of travel, rn 1 nearest the cursor; the extra
--         row only tells whether more rows follow (it is not serialised);
--   total (n): numberMatched, every matching row whatever the cursor.
-- The rest is fixed per collection, so it is plain text here, not a statement rebuilt for every request:
-- the markers fill in the collection's view (source: a view's name, or "src", a CTE of the caller), the
-- feature id (fid), its cursor text (key) and its properties (props), all from the collection registry
-- (ogc/pages.py), never from the request.
-- Geometry: ST_AsGeoJSON in the asked CRS (ST_Transform to the storage SRID itself returns the input as it
-- is), flipped for a north-first CRS (EPSG:4326/4490 lat,lon; GK zones N,E).
-- Properties are row_to_json of a row of the listed columns: compact JSON in column order, as orjson writes;
-- a feature's text is concatenated, not built as jsonb, so PostGIS's geometry text is kept as it is.
-- Features go out in key order whichever way the page was read (:page_step is 1 forward, -1 backward).
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
               || ',"properties":' || p.props::text || '}',
               ',' ORDER BY p.rn * :page_step
           ) FILTER (WHERE p.rn <= :page_limit) AS features,
           array_agg(p.cursor ORDER BY p.rn * :page_step) FILTER (WHERE p.rn <= :page_limit) AS keys
    FROM (
        SELECT i.rn, /*fid*/ AS fid, /*key*/ AS cursor,
               ST_AsGeoJSON(
                   CASE WHEN :page_flip THEN ST_FlipCoordinates(ST_Transform(g.geom, :page_srid))
                        ELSE ST_Transform(g.geom, :page_srid) END,
                   :page_decimals
               ) AS geometry,
               (SELECT row_to_json(r) FROM (SELECT /*props*/) r) AS props
        FROM ids i
        JOIN /*source*/ g ON g.id = i.id
    ) p
) a
