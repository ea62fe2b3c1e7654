-- Public fields of the grids of one version, read from the view public_grid (migration 0011): a phone
-- not marked public is already NULL there. Optional filters (NULL = no filter): :codes text[], :level,
-- bbox :w :s :e :n (WGS84, ST_Intersects).
-- :with_geom adds GeoJSON geometry, :with_wkb WKB (GeoPackage). Paged with :limit/:offset, ordered by level, code;
-- the page is chosen first so that label points and JSON are computed for its rows only.
SELECT g.id, g.code, g.name, g.level, g.parent_code, g.entity, g.leader_name, g.leader_title,
       g.leader_phone, g.contact_phone, g.duties, g.tasks, g.rewards_penalties, g.sample_data, round(g.area_m2::numeric) AS area_m2, g.staff,
       CASE WHEN :with_geom THEN ST_AsGeoJSON(g.geom, 7) END AS geometry,
       CASE WHEN :with_wkb THEN ST_AsBinary(g.geom) END AS wkb,
       ST_X(p.pt) AS label_lon, ST_Y(p.pt) AS label_lat
FROM (SELECT id FROM public_grid
      WHERE version_id = :version_id
        AND (CAST(:codes AS text[]) IS NULL OR code = ANY (CAST(:codes AS text[])))
        AND (CAST(:level AS integer) IS NULL OR level = :level)
        AND (CAST(:w AS float8) IS NULL OR ST_Intersects(geom, ST_MakeEnvelope(:w, :s, :e, :n, 4326)))
      ORDER BY level, code
      LIMIT :limit OFFSET :offset) page
JOIN public_grid g ON g.id = page.id
CROSS JOIN LATERAL (SELECT ST_PointOnSurface(g.geom) AS pt) p
ORDER BY g.level, g.code
