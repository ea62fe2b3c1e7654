-- The "version" element of a lookup answer for version :version_id, built as lookup.sql builds it.
SELECT json_build_object('id', id, 'label', label, 'published_at', published_at)::text
FROM boundary_version
WHERE id = :version_id
