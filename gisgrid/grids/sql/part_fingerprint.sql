-- A fingerprint of a version's lookup parts, for the prepared batch index on disk (batch_store.py).
-- Any insert, delete or update of a part changes it: ids are never reused and an updated row gets a new
-- xmin. Reading xmin instead of hashing the geometries keeps it to one heap scan (~1 s at 350,000
-- parts); the sum and the xor are order-free, so no sort of 350,000 rows either.
SELECT count(*) AS parts,
       coalesce(sum(hashtextextended(id || ':' || xmin::text || ':' || grid_id || ':' || level || ':' || code, 7)
                    ::numeric), 0) AS total,
       coalesce(bit_xor(hashtextextended(id || ':' || xmin::text, 11)), 0) AS mixed
FROM grid_part
WHERE version_id = :version_id
