"""The hash chain per transaction (audit/sql/audit_seal.sql): verify the seals, hash SM3 ones.

A seal holds its transaction's row ids and each row's digest H(canonical text); its hash is
H(prev_hash || seq || ":" || digests). Verification checks a seal's place and hash first, so its digests
can be trusted, and then every row against its digest: the broken link found is the seal (a transaction
removed, reordered or its seal altered) or the row (altered, or deleted from its transaction).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

from gisgrid.audit.chain import Verdict, sm3

SEALS_BATCH = 100  # seals per query: one import's seal lists hundreds of thousands of ids
ROWS_BATCH = 5000
_SEALS = text(
    "SELECT seq, txid, ids, digests, hash_algo, prev_hash, hash FROM audit_seal"
    " WHERE seq > :after ORDER BY seq LIMIT :limit"
)
# a seal's rows in its order; a row deleted from audit_log comes back with found = NULL
_SEAL_ROWS = text(
    "SELECT u.k, u.id, a.id AS found, a.at, CASE WHEN a.id IS NOT NULL THEN gisgrid_audit_canon(a) END AS canon"
    " FROM audit_seal AS s CROSS JOIN LATERAL unnest(s.ids) WITH ORDINALITY AS u(id, k)"
    " LEFT JOIN audit_log AS a ON a.id = u.id WHERE s.seq = :seq ORDER BY u.k"
)
_PENDING_ROWS = text("SELECT sum(cardinality(ids)) FROM audit_seal WHERE seq >= :seq")
_FILL = text("UPDATE audit_seal SET digests = :digests, prev_hash = :prev, hash = :hash WHERE seq = :seq")


def row_digest(algo: str, canon: str) -> bytes:
    """One row's digest in a seal: SHA-256 or SM3 of its canonical text, 32 bytes."""
    data = canon.encode("utf-8")
    if algo == "sha256":
        return hashlib.sha256(data).digest()
    if algo == "sm3":
        return bytes.fromhex(sm3(data))
    raise ValueError(f"unknown audit hash {algo!r}")


def seal_hash(algo: str, prev: str, seq: int, digests: bytes) -> str:
    """A seal's hash: H(prev_hash || seq || ":" || digests), hex (as gisgrid_audit_seal_tx computes it)."""
    data = f"{prev}{seq}:".encode() + digests
    if algo == "sha256":
        return hashlib.sha256(data).hexdigest()
    if algo == "sm3":
        return sm3(data)
    raise ValueError(f"unknown audit hash {algo!r}")


def verify(session: Session, head, verdict: Verdict, progress: Callable[[int], None] | None = None) -> Verdict:
    """Walk the seals from their anchor in seq order, adding to ``verdict``; stop at the first broken link."""
    if head.tx_anchor_seq == 0 and head.tx_anchor_hash != head.hash:
        return verdict.broken("the first transaction's seal does not follow the end of the per-row chain")
    seq, prev = head.tx_anchor_seq, head.tx_anchor_hash
    while True:
        batch = session.execute(_SEALS, {"after": seq, "limit": SEALS_BATCH}).all()
        for seal in batch:
            if seal.hash is None:  # SM3 not sealed yet: this transaction and all after it wait
                verdict.pending = session.execute(_PENDING_ROWS, {"seq": seal.seq}).scalar()
                return verdict
            if not _seal_ok(seal, seq, prev, verdict) or not _rows_ok(session, seal, verdict):
                return verdict
            seq, prev = seal.seq, seal.hash
            if progress:
                progress(verdict.checked)
        if len(batch) < SEALS_BATCH:
            break
    if (seq, prev) != (head.tx_seq, head.tx_hash):
        verdict.broken(f"the chain ends at transaction {seq} but its head says {head.tx_seq}: transactions removed")
    return verdict


def _seal_ok(seal, seq: int, prev: str, verdict: Verdict) -> bool:
    """The seal's place and its own hash: then its digests are the ones sealed at commit."""
    if seal.seq != seq + 1:
        reason = f"transaction {seal.seq} follows {seq}: transactions {seq + 1}…{seal.seq - 1} are missing"
    elif seal.prev_hash != prev:
        reason = "its seal's prev_hash is not the hash of the transaction before it"
    elif seal.digests is None or len(seal.digests) != 32 * len(seal.ids):
        reason = f"its seal lists {len(seal.ids)} rows but not as many digests (altered)"
    elif seal_hash(seal.hash_algo, prev, seal.seq, bytes(seal.digests)) != seal.hash:
        reason = "its seal does not match its hash (altered)"
    else:
        return True
    verdict.broken(reason, tx=seal.seq)
    return False


def _rows_ok(session: Session, seal, verdict: Verdict) -> bool:
    """Every row of the seal against its digest, streamed in the seal's order."""
    digests = bytes(seal.digests)
    with _stream(session, _SEAL_ROWS, {"seq": seal.seq}) as rows:
        for row in rows:
            if row.found is None:
                reason = f"row {row.k} of {len(seal.ids)} of its transaction is missing (deleted)"
                verdict.broken(reason, row.id, tx=seal.seq)
                return False
            if row_digest(seal.hash_algo, row.canon) != digests[32 * (row.k - 1) : 32 * row.k]:
                verdict.broken("the row's content does not match its digest (altered)", row.id, row.at, seal.seq)
                return False
            verdict.checked += 1
    return True


@contextmanager
def _stream(session: Session, statement, params: dict) -> Iterator:
    """Rows of a query fetched a batch at a time (a server-side cursor, closed even when left early)."""
    result = session.execute(statement, params, execution_options={"yield_per": ROWS_BATCH})
    try:
        yield result
    finally:
        result.close()


def seal_pending(session: Session) -> int:
    """Fill the digests and hashes of the seals waiting for SM3, in seq order (in the caller's transaction)."""
    head = session.execute(text("SELECT tx_seq, tx_hash, tx_anchor_seq, tx_anchor_hash FROM audit_chain FOR UPDATE"))
    head = head.one()
    if head.tx_hash is not None:  # the chain's end is hashed: nothing waits (no scan every minute)
        return 0
    first = session.execute(text("SELECT min(seq) FROM audit_seal WHERE hash IS NULL")).scalar()
    if first is None:
        return 0
    prev = session.execute(text("SELECT hash FROM audit_seal WHERE seq = :s"), {"s": first - 1}).scalar()
    prev, count = prev or head.tx_anchor_hash, 0
    for seq in range(first, head.tx_seq + 1):
        seal = session.execute(_SEALS, {"after": seq - 1, "limit": 1}).one()
        digests = bytes(seal.digests) if seal.digests is not None else _digests(session, seal)
        sealed = seal_hash(seal.hash_algo, prev, seal.seq, digests)
        session.execute(_FILL, {"digests": digests, "prev": prev, "hash": sealed, "seq": seq})
        prev, count = sealed, count + len(seal.ids)
    session.execute(text("UPDATE audit_chain SET tx_hash = :h"), {"h": prev})
    return count


def _digests(session: Session, seal) -> bytes:
    parts = []
    with _stream(session, _SEAL_ROWS, {"seq": seal.seq}) as rows:
        for row in rows:
            if row.found is None:
                raise RuntimeError(f"audit row {row.id} of transaction {seal.seq} is missing: it cannot be sealed")
            parts.append(row_digest(seal.hash_algo, row.canon))
    return b"".join(parts)
