-- The hash chain per transaction (migration 0017_h21chain): replaces the per-row seal of audit_chain.sql
-- for every row written from then on. Why: the per-row seal rewrote every audit row at commit (an UPDATE
-- of the whole row: a second version with its jsonb and six index entries, ~40 µs a row) after hashing
-- it in a PL/pgSQL loop; at 100,000 grids (~300,000 audit rows) that was most of the chain's cost.
-- Now audit rows are never rewritten. At commit one statement computes, set-wise, each row's digest
-- H(canonical text) (gisgrid_audit_canon, as before), and one row of audit_seal records the transaction:
--   seq        its place in the chain (commit order, as before)
--   ids        its audit rows' ids, in id order
--   digests    their digests, 32 bytes each, concatenated in the same order
--   prev_hash  the hash of the seal before it (the first seal: the end of the per-row chain)
--   hash       H(prev_hash || seq || ':' || digests), hex
-- so verification (gisgrid/audit/seals.py) recomputes every row's digest and compares it with the
-- seal's: a changed, deleted or slipped-in row is located by its id; a changed, removed or reordered
-- seal breaks its hash or the link of the next one.
-- Rows sealed before 0017 keep their per-row hashes (audit_chain.sql) and verify as before; audit_chain
-- keeps that chain's end (seq, hash, frozen) and its anchor, and the head of this one (tx_*).
-- SHA-256 here; SM3 (GISGRID_AUDIT_HASH=sm3) is not built into PostgreSQL: such a seal gets its seq and
-- ids here, and its digests and hashes from the sealing job in Python, in seq order.

-- Seal this transaction's rows not sealed yet (called at commit; tests call it to seal early).
CREATE OR REPLACE FUNCTION gisgrid_audit_seal_tx() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  algo text := CASE WHEN current_setting('gisgrid.audit_hash', true) = 'sm3' THEN 'sm3' ELSE 'sha256' END;
  -- rows up to this id are in an earlier seal of this transaction (a seal before the commit)
  done bigint := coalesce(nullif(current_setting('gisgrid.audit_sealed', true), '')::bigint, 0);
  ids bigint[];
  digests bytea;
  last_at timestamptz;
  head_seq bigint;
  prev text;
  sealed text;
BEGIN
  PERFORM set_config('gisgrid.audit_queued', '', true);  -- rows inserted after this seal queue a new one
  -- every digest in one statement (no loop, no rewrite of the rows); ix_audit_log_txid finds the rows.
  -- `id > done` is a FILTER, not in WHERE: there the planner would also scan the primary key from `done`
  -- on, i.e. the whole table for a transaction's first seal.
  SELECT array_agg(a.id ORDER BY a.id) FILTER (WHERE a.id > done),
         CASE WHEN algo = 'sha256'
              THEN string_agg(sha256(convert_to(gisgrid_audit_canon(a), 'UTF8')), ''::bytea ORDER BY a.id)
                   FILTER (WHERE a.id > done) END,
         max(a.at) FILTER (WHERE a.id > done)
    INTO ids, digests, last_at
    FROM audit_log AS a
   WHERE a.txid = txid_current();
  IF ids IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM set_config('gisgrid.audit_sealed', ids[cardinality(ids)]::text, true);
  -- one sealer at a time, from here to the commit only: the chain has one end
  SELECT tx_seq, tx_hash INTO head_seq, prev FROM audit_chain FOR UPDATE;
  -- a seal after one still waiting for its SM3 digests waits too: its prev_hash is not known yet
  IF algo = 'sha256' AND prev IS NOT NULL THEN
    sealed := encode(sha256(convert_to(prev || (head_seq + 1)::text || ':', 'UTF8') || digests), 'hex');
  ELSE
    prev := NULL;
  END IF;
  INSERT INTO audit_seal (seq, txid, ids, digests, last_at, hash_algo, prev_hash, hash)
  VALUES (head_seq + 1, txid_current(), ids, digests, last_at, algo, prev, sealed);
  UPDATE audit_chain SET tx_seq = head_seq + 1, tx_hash = sealed;
  RETURN cardinality(ids);
END
$$;

-- The guard of audit_log, fired (trigger WHEN, migration 0017) only for a row that is sealed: one of
-- another transaction (committed, so sealed or outside the chain), one with a per-row seal, or one of
-- this transaction already in a seal. The fold of the set-wise trigger updates this transaction's
-- unsealed rows and so no longer calls a function per row. DELETE is only for gisgrid_audit_prune.
CREATE OR REPLACE FUNCTION gisgrid_audit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF current_setting('gisgrid.audit_prune', true) IS DISTINCT FROM 'yes' THEN
      RAISE EXCEPTION 'audit_log rows cannot be deleted (only by gisgrid_audit_prune)' USING ERRCODE = '42501';
    END IF;
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log row % is sealed and cannot be changed', OLD.id USING ERRCODE = '42501';
END
$$;

-- A seal never changes once hashed; before that only its digests and hashes are filled (the SM3 job).
CREATE OR REPLACE FUNCTION gisgrid_audit_seal_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF current_setting('gisgrid.audit_prune', true) IS DISTINCT FROM 'yes' THEN
      RAISE EXCEPTION 'audit_seal rows cannot be deleted (only by gisgrid_audit_prune)' USING ERRCODE = '42501';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.hash IS NOT NULL
     OR to_jsonb(NEW) - 'digests' - 'prev_hash' - 'hash' <> to_jsonb(OLD) - 'digests' - 'prev_hash' - 'hash' THEN
    RAISE EXCEPTION 'audit_seal % is sealed and cannot be changed', OLD.seq USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END
$$;

-- The per-row chain's start (rows sealed before 0017) older than `cutoff`, up to the first row that is
-- still young: a recent row is never removed, whatever the times of the rows after it. Rows removed.
CREATE OR REPLACE FUNCTION gisgrid_audit_prune_rows(cutoff timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  last audit_log%ROWTYPE;
  removed bigint := 0;
BEGIN
  SELECT * INTO last FROM audit_log
   WHERE seq < coalesce((SELECT min(seq) FROM audit_log
                       WHERE seq IS NOT NULL AND (at >= cutoff OR row_hash IS NULL)), 9223372036854775807)
   ORDER BY seq DESC LIMIT 1;
  IF FOUND THEN
    DELETE FROM audit_log WHERE seq <= last.seq;
    GET DIAGNOSTICS removed = ROW_COUNT;
    UPDATE audit_chain SET anchor_seq = last.seq, anchor_hash = last.row_hash;
  END IF;
  RETURN removed;
END
$$;

-- Whole sealed transactions from the chain's start whose newest row is older than `cutoff`, up to the
-- first young or not yet hashed (SM3) one; their seal's hash becomes the anchor. Rows removed.
CREATE OR REPLACE FUNCTION gisgrid_audit_prune_seals(cutoff timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  removed bigint := 0;
BEGIN
  SELECT max(seq) INTO last_seq FROM audit_seal
   WHERE seq < coalesce((SELECT min(seq) FROM audit_seal WHERE last_at >= cutoff OR hash IS NULL), 9223372036854775807);
  IF last_seq IS NOT NULL THEN
    -- a hash anti-join, not id = ANY(ids) per row: a seal of an import holds 300,000 ids
    DELETE FROM audit_log WHERE id IN (SELECT unnest(ids) FROM audit_seal WHERE seq <= last_seq);
    GET DIAGNOSTICS removed = ROW_COUNT;
    UPDATE audit_chain SET tx_anchor_seq = last_seq, tx_anchor_hash = (SELECT hash FROM audit_seal WHERE seq = last_seq);
    DELETE FROM audit_seal WHERE seq <= last_seq;
  END IF;
  RETURN removed;
END
$$;

-- The retention job's delete: the chain's start older than `days` days (never fewer than 180) — rows of
-- the per-row chain first, then, once none is left, whole sealed transactions — the new start recorded
-- as the anchor, and a 'prune' entry. The application role holds no DELETE privilege on audit_log or
-- audit_seal: this function grants it to itself for the statements and takes it back (the table owner
-- may; the grant never outlives the function).
CREATE OR REPLACE FUNCTION gisgrid_audit_prune(days integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  cutoff timestamptz := now() - make_interval(days => days);
  removed bigint;
BEGIN
  IF days < 180 THEN
    RAISE EXCEPTION 'audit retention must be at least 180 days, not %', days USING ERRCODE = '22023';
  END IF;
  PERFORM 1 FROM audit_chain FOR UPDATE;  -- no seal in between: the anchor is the chain's true start
  PERFORM set_config('gisgrid.audit_prune', 'yes', true);
  EXECUTE format('GRANT DELETE ON audit_log, audit_seal TO %I', current_user);
  removed := gisgrid_audit_prune_rows(cutoff);
  IF NOT EXISTS (SELECT 1 FROM audit_log WHERE seq IS NOT NULL) THEN  -- the chain's start is a seal now
    removed := removed + gisgrid_audit_prune_seals(cutoff);
  END IF;
  EXECUTE format('REVOKE DELETE ON audit_log, audit_seal FROM %I', current_user);
  PERFORM set_config('gisgrid.audit_prune', '', true);
  INSERT INTO audit_log (actor_id, actor_name, actor_source, actor_ip, entity, entity_id, entity_key, action, changes)
  SELECT nullif(current_setting('gisgrid.actor_id', true), '')::integer,
         coalesce(nullif(current_setting('gisgrid.actor_name', true), ''), session_user),
         coalesce(nullif(current_setting('gisgrid.actor_source', true), ''), 'db'),
         nullif(current_setting('gisgrid.actor_ip', true), ''),
         'security', NULL, 'audit_log', 'prune',
         jsonb_build_object('result', 'success', 'removed', removed, 'before', cutoff, 'retention_days', days,
                            'anchor_seq', c.anchor_seq, 'anchor_tx', c.tx_anchor_seq)
    FROM audit_chain AS c;
  RETURN removed;
END
$$;
