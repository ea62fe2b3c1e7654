-- Since migration 0017_h21chain rows are sealed per transaction (audit_seal.sql, which replaces this
-- file's gisgrid_audit_seal_tx, gisgrid_audit_guard and gisgrid_audit_prune); this file stays as 0016
-- installed it (0017's downgrade reinstalls it), and its canonical text and hash are still used.
-- The hash chain of audit_log (migration 0016_sec_audit): every row carries seq (its place in the chain),
-- prev_hash (the hash of the row before it) and row_hash = H(prev_hash || canonical text of the row).
-- Why at commit and not at insert: the audit triggers fold a later update of a row inserted in the same
-- transaction into that insert's entry (audit_trigger.sql), so a row is final only when its transaction
-- ends. A deferred constraint trigger seals the transaction's rows at commit, in one pass, holding the
-- chain head row (audit_chain) locked only from then until the commit: committing writers take turns,
-- writers still working do not wait. Rows are chained in commit order (seq), not id order.
-- SHA-256 is computed here; SM3 (GISGRID_AUDIT_HASH=sm3) is not built into PostgreSQL, so such rows get
-- their seq here and their hash from the sealing job in Python (gisgrid/audit/chain.py), in seq order.

-- The canonical text that is hashed: a JSON array of every column but the hashes, the time in UTC.
CREATE OR REPLACE FUNCTION gisgrid_audit_canon(a audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_array(a.id, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), a.txid,
                           a.actor_id, a.actor_name, a.actor_source, a.actor_ip, a.entity, a.entity_id,
                           a.entity_key, a.action, a.changes, a.seq, a.hash_algo)::text
$$;

CREATE OR REPLACE FUNCTION gisgrid_audit_sha256(prev text, body text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(prev || body, 'UTF8')), 'hex')
$$;

-- Seal this transaction's unsealed rows (called by the commit trigger; tests call it to seal early).
CREATE OR REPLACE FUNCTION gisgrid_audit_seal_tx() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  head audit_chain%ROWTYPE;
  r audit_log%ROWTYPE;
  algo text := CASE WHEN current_setting('gisgrid.audit_hash', true) = 'sm3' THEN 'sm3' ELSE 'sha256' END;
  ids bigint[] := '{}';
  prevs text[] := '{}';
  hashes text[] := '{}';
  n integer := 0;
BEGIN
  PERFORM set_config('gisgrid.audit_queued', '', true);  -- rows inserted after this seal queue a new one
  SELECT * INTO head FROM audit_chain FOR UPDATE;  -- one sealer at a time: the chain has one end
  FOR r IN SELECT * FROM audit_log WHERE txid = txid_current() AND seq IS NULL ORDER BY id LOOP
    n := n + 1;
    r.seq := head.seq + n;
    r.hash_algo := algo;
    -- a row after one still waiting for its SM3 hash waits too: its prev_hash is not known yet
    IF algo = 'sha256' AND head.hash IS NOT NULL THEN
      r.prev_hash := head.hash;
      r.row_hash := gisgrid_audit_sha256(r.prev_hash, gisgrid_audit_canon(r));
    END IF;
    ids := ids || r.id;
    prevs := prevs || r.prev_hash;
    hashes := hashes || r.row_hash;
    head.hash := r.row_hash;
  END LOOP;
  IF n > 0 THEN
    -- one UPDATE for the whole transaction: a statement per row cost most of the seal
    UPDATE audit_log AS a SET seq = head.seq + u.k, hash_algo = algo, prev_hash = u.prev, row_hash = u.hash
      FROM unnest(ids, prevs, hashes) WITH ORDINALITY AS u(id, prev, hash, k)
     WHERE a.id = u.id;
    UPDATE audit_chain SET seq = head.seq + n, hash = head.hash;
  END IF;
  RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION gisgrid_audit_seal() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gisgrid_audit_seal_tx();
  RETURN NULL;
END
$$;

-- WHEN of the commit trigger: true for the first row of a transaction only, so an import of 100 000 rows
-- queues one seal, not 100 000 (a savepoint that rolls back takes its flag and its queued seal with it).
CREATE OR REPLACE FUNCTION gisgrid_audit_first_in_tx() RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF current_setting('gisgrid.audit_queued', true) = 'yes' THEN
    RETURN false;
  END IF;
  PERFORM set_config('gisgrid.audit_queued', 'yes', true);
  RETURN true;
END
$$;

-- Sealed rows never change; DELETE is only for gisgrid_audit_prune (which sets gisgrid.audit_prune).
CREATE OR REPLACE FUNCTION gisgrid_audit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF current_setting('gisgrid.audit_prune', true) IS DISTINCT FROM 'yes' THEN
      RAISE EXCEPTION 'audit_log rows cannot be deleted (only by gisgrid_audit_prune)' USING ERRCODE = '42501';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.row_hash IS NOT NULL
     OR (OLD.seq IS NOT NULL AND to_jsonb(NEW) - 'prev_hash' - 'row_hash' <> to_jsonb(OLD) - 'prev_hash' - 'row_hash') THEN
    RAISE EXCEPTION 'audit_log row % is sealed and cannot be changed', OLD.id USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END
$$;

-- The retention job's delete: rows older than `days` days (never fewer than 180), the chain's new start
-- recorded as the anchor (so verify checks the oldest remaining row against it), and a 'prune' entry.
-- The application role holds no DELETE privilege on audit_log: this function grants it to itself for
-- the one statement and takes it back (the table owner may; the grant never outlives the function).
CREATE OR REPLACE FUNCTION gisgrid_audit_prune(days integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  cutoff timestamptz := now() - make_interval(days => days);
  last audit_log%ROWTYPE;
  removed bigint;
BEGIN
  IF days < 180 THEN
    RAISE EXCEPTION 'audit retention must be at least 180 days, not %', days USING ERRCODE = '22023';
  END IF;
  PERFORM 1 FROM audit_chain FOR UPDATE;  -- no seal in between: the anchor is the chain's true start
  -- only the chain's start, up to the first row that is still young or unsealed: a recent row is never
  -- removed, whatever the times of the rows after it
  SELECT * INTO last FROM audit_log
   WHERE seq < coalesce((SELECT min(seq) FROM audit_log WHERE at >= cutoff OR row_hash IS NULL), 9223372036854775807)
   ORDER BY seq DESC LIMIT 1;
  removed := 0;
  IF FOUND THEN
    PERFORM set_config('gisgrid.audit_prune', 'yes', true);
    EXECUTE format('GRANT DELETE ON audit_log TO %I', current_user);
    DELETE FROM audit_log WHERE seq <= last.seq;
    GET DIAGNOSTICS removed = ROW_COUNT;
    EXECUTE format('REVOKE DELETE ON audit_log FROM %I', current_user);
    PERFORM set_config('gisgrid.audit_prune', '', true);
    UPDATE audit_chain SET anchor_seq = last.seq, anchor_hash = last.row_hash;
  END IF;
  INSERT INTO audit_log (actor_id, actor_name, actor_source, actor_ip, entity, entity_id, entity_key, action, changes)
  VALUES (nullif(current_setting('gisgrid.actor_id', true), '')::integer,
          coalesce(nullif(current_setting('gisgrid.actor_name', true), ''), session_user),
          coalesce(nullif(current_setting('gisgrid.actor_source', true), ''), 'db'),
          nullif(current_setting('gisgrid.actor_ip', true), ''),
          'security', NULL, 'audit_log', 'prune',
          jsonb_build_object('result', 'success', 'removed', removed, 'before', cutoff,
                             'retention_days', days, 'anchor_seq', last.seq));
  RETURN removed;
END
$$;
