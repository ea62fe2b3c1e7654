-- One generic row trigger for every audited table (migration 0009).
-- Trigger arguments: hashed columns, ignored columns (comma lists), the human key column, the id column.
-- Hashed columns (geometries, password hashes) are logged as an md5, never in full: the log stays
-- small and a changed boundary or password still shows as changed.
CREATE OR REPLACE FUNCTION gisgrid_audit_row(r jsonb, hashed text[], ignored text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT (r - ignored - hashed)
         || coalesce((SELECT jsonb_object_agg(h, md5(r ->> h)) FROM unnest(hashed) AS h WHERE r ? h), '{}')
$$;

CREATE OR REPLACE FUNCTION gisgrid_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  hashed text[] := string_to_array(TG_ARGV[0], ',');
  ignored text[] := string_to_array(TG_ARGV[1], ',');
  old_row jsonb;
  new_row jsonb;
  cur_row jsonb;
  changes jsonb;
  who_id integer := nullif(current_setting('gisgrid.actor_id', true), '')::integer;
BEGIN
  IF TG_OP <> 'INSERT' THEN old_row := gisgrid_audit_row(to_jsonb(OLD), hashed, ignored); END IF;
  IF TG_OP <> 'DELETE' THEN new_row := gisgrid_audit_row(to_jsonb(NEW), hashed, ignored); END IF;
  IF TG_OP = 'UPDATE' THEN
    -- a row inserted earlier in this same transaction (an import filling parent_id and area_m2
    -- after its inserts) is still one insert: its entry takes the final values
    -- TG_TABLE_NAME is of type name: compared uncast with the text column, no index applies and
    -- every update scanned the whole log (quadratic imports; fixed in 0015_scale)
    UPDATE audit_log AS a SET changes = new_row
     WHERE a.entity = TG_TABLE_NAME::text AND a.entity_id = new_row ->> TG_ARGV[3]
       AND a.txid = txid_current() AND a.action = 'insert';
    IF FOUND THEN RETURN NULL; END IF;
    -- only what changed, as {column: [old, new]}; an update that changes nothing audited is not logged
    SELECT jsonb_object_agg(n.key, jsonb_build_array(old_row -> n.key, n.value)) INTO changes
      FROM jsonb_each(new_row) AS n
     WHERE (old_row -> n.key) IS DISTINCT FROM n.value;
    IF changes IS NULL THEN RETURN NULL; END IF;
  ELSE
    changes := coalesce(new_row, old_row);
  END IF;
  cur_row := coalesce(new_row, old_row);
  INSERT INTO audit_log (actor_id, actor_name, actor_source, actor_ip, entity, entity_id, entity_key, action, changes)
  VALUES (who_id,
          coalesce(nullif(current_setting('gisgrid.actor_name', true), ''),
                   (SELECT u.username FROM app_user AS u WHERE u.id = who_id),
                   session_user),
          coalesce(nullif(current_setting('gisgrid.actor_source', true), ''), 'db'),
          nullif(current_setting('gisgrid.actor_ip', true), ''),
          TG_TABLE_NAME,
          cur_row ->> TG_ARGV[3],
          cur_row ->> TG_ARGV[2],
          lower(TG_OP),
          changes);
  RETURN NULL;
END
$$;
