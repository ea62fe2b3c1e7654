-- The set-wise audit trigger (migration 0015_scale) for the tables imports write in bulk: statement-level
-- triggers with transition tables (old_rows / new_rows) that write every changed row of a statement in
-- one INSERT ... SELECT. Same entries as the row trigger gisgrid_audit() (audit_trigger.sql): one per
-- changed row, the same actor, the whole row for an insert or delete, {column: [old, new]} for an
-- update (nothing when nothing audited changed), and an update of a row inserted earlier in the same
-- transaction folded into that insert's entry.
-- Why: the row trigger looked up the log once per updated row, so an import that inserts N grids and
-- then links their parents and areas grew quadratically. Here a statement joins its rows with this
-- transaction's entries once (ix_audit_log_txid).
-- Hashed columns are fingerprinted as md5 of their text form (a geometry's hex EWKB), not of the
-- JSON of the whole row: turning a county's boundary into GeoJSON for every image of every row was
-- most of the cost. A fingerprint still changes exactly when the value does.
-- Trigger arguments as for gisgrid_audit(): hashed columns, ignored columns, key column, id column.

-- The SQL expression of a row image of table `rel` whose row is called `alias`: a jsonb object of the
-- audited columns, hashed ones as md5. jsonb_build_object takes at most 100 arguments: 40 columns a call.
CREATE OR REPLACE FUNCTION gisgrid_audit_image_sql(rel oid, alias text, hashed text[], ignored text[]) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT string_agg(format('jsonb_build_object(%s)', pairs), ' || ')
    FROM (SELECT string_agg(format('%L, %s', attname,
                                   CASE WHEN attname = ANY(hashed) THEN format('md5(%s.%I::text)', alias, attname)
                                        ELSE format('%s.%I', alias, attname) END), ', ' ORDER BY attnum) AS pairs
            FROM (SELECT attname::text AS attname, attnum, (row_number() OVER (ORDER BY attnum) - 1) / 40 AS chunk
                    FROM pg_attribute
                   WHERE attrelid = rel AND attnum > 0 AND NOT attisdropped AND NOT (attname::text = ANY(ignored))) AS c
           GROUP BY chunk ORDER BY chunk) AS chunks
$$;

CREATE OR REPLACE FUNCTION gisgrid_audit_set() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  hashed text[] := string_to_array(TG_ARGV[0], ',');
  ignored text[] := string_to_array(TG_ARGV[1], ',');
  who_id integer := nullif(current_setting('gisgrid.actor_id', true), '')::integer;
  who text := coalesce(nullif(current_setting('gisgrid.actor_name', true), ''),
                       (SELECT u.username FROM app_user AS u WHERE u.id = who_id), session_user);
  source text := coalesce(nullif(current_setting('gisgrid.actor_source', true), ''), 'db');
  ip text := nullif(current_setting('gisgrid.actor_ip', true), '');
  -- $1..$6: actor id, name, source, ip, table, key column; $7: id column. The table name is passed as
  -- text: a parameter of type name compared with the text column entity would not use an index.
  head text := 'INSERT INTO audit_log (actor_id, actor_name, actor_source, actor_ip, entity, entity_id, '
               'entity_key, action, changes) ';
BEGIN
  IF TG_OP IN ('INSERT', 'DELETE') THEN
    EXECUTE head || format('SELECT $1, $2, $3, $4, $5, r ->> $7, r ->> $6, %L, r FROM (SELECT %s AS r FROM %I AS x) AS s',
                           lower(TG_OP), gisgrid_audit_image_sql(TG_RELID, 'x', hashed, ignored),
                           CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END)
      USING who_id, who, source, ip, TG_TABLE_NAME::text, TG_ARGV[2], TG_ARGV[3];
    RETURN NULL;
  END IF;
  EXECUTE format($sql$
    WITH pairs AS MATERIALIZED (
      -- before and after image of each updated row, paired by id
      SELECT o.r ->> $7 AS id, o.r AS old_row, n.r AS new_row
        FROM (SELECT %1$s AS r FROM old_rows AS x) AS o
        JOIN (SELECT %1$s AS r FROM new_rows AS x) AS n ON n.r ->> $7 = o.r ->> $7
    ),
    folded AS (
      -- rows inserted earlier in this transaction: their insert entry takes the final values
      UPDATE audit_log AS a SET changes = p.new_row
        FROM pairs AS p
       WHERE a.txid = txid_current() AND a.entity = $5 AND a.entity_id = p.id AND a.action = 'insert'
      RETURNING a.entity_id
    )
    %2$s
    SELECT $1, $2, $3, $4, $5, p.id, p.new_row ->> $6, 'update', d.changes
      FROM pairs AS p
      -- only what changed; an update that changes nothing audited is not logged
      CROSS JOIN LATERAL (
        SELECT jsonb_object_agg(k.key, jsonb_build_array(p.old_row -> k.key, k.value)) AS changes
          FROM jsonb_each(p.new_row) AS k
         WHERE (p.old_row -> k.key) IS DISTINCT FROM k.value
      ) AS d
     WHERE d.changes IS NOT NULL AND NOT EXISTS (SELECT 1 FROM folded AS f WHERE f.entity_id = p.id)
    $sql$, gisgrid_audit_image_sql(TG_RELID, 'x', hashed, ignored), head)
    USING who_id, who, source, ip, TG_TABLE_NAME::text, TG_ARGV[2], TG_ARGV[3];
  RETURN NULL;
END
$$;
