"""The audit trail's hash chain: verify it, seal SM3 rows, prune old rows (audit/sql/audit_chain.sql).

The canonical text of a row is computed by the database (``gisgrid_audit_canon``) for sealing and for
checking alike, so Python and SQL hash the same bytes: H(prev_hash || canonical text), hex.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from gisgrid.db import unit_of_work

GENESIS = "0" * 64
BATCH = 5000
_ROWS = text(
    "SELECT a.id, a.at, a.seq, a.prev_hash, a.row_hash, a.hash_algo, gisgrid_audit_canon(a) AS canon"
    " FROM audit_log AS a WHERE a.seq > :after ORDER BY a.seq LIMIT :limit"
)
_SEAL = text(
    "UPDATE audit_log AS a SET prev_hash = u.p, row_hash = u.h"
    " FROM unnest(CAST(:ids AS bigint[]), CAST(:prevs AS text[]), CAST(:hashes AS text[])) AS u(id, p, h)"
    " WHERE a.id = u.id"
)
_HEAD = text("SELECT seq, hash, anchor_seq, anchor_hash FROM audit_chain")
# a committed row without a place in the chain: inserted while the owner had the seal trigger disabled
_OUTSIDE = text(
    "SELECT id, at FROM audit_log WHERE seq IS NULL AND txid IS DISTINCT FROM txid_current_if_assigned()"
    " ORDER BY id LIMIT 1"
)


def digest(algo: str, prev: str, canon: str) -> str:
    """The hash of one row: SHA-256 or SM3 (GB/T 32905-2016) of prev_hash || canonical text, hex."""
    data = (prev + canon).encode("utf-8")
    if algo == "sha256":
        return hashlib.sha256(data).hexdigest()
    if algo == "sm3":
        return sm3(data)
    raise ValueError(f"unknown audit hash {algo!r}")


def sm3(data: bytes, engine: str | None = None) -> str:
    """SM3 by OpenSSL when it has it (about 1,000 times faster), else by gmssl (pure Python); same digest."""
    if (engine or _SM3_ENGINE) == "openssl":
        return hashlib.new("sm3", data).hexdigest()
    from gmssl import func
    from gmssl import sm3 as gmssl_sm3

    return gmssl_sm3.sm3_hash(func.bytes_to_list(data))


_SM3_ENGINE = "openssl" if "sm3" in hashlib.algorithms_available else "gmssl"


@dataclass
class Verdict:
    """What verify found: rows checked, rows waiting for a hash, and the first broken link if any."""

    checked: int = 0
    pending: int = 0
    broken_id: int | None = None
    broken_at: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when no link is broken."""
        return self.reason is None

    def line(self) -> str:
        """One line for the command and the page."""
        if not self.ok:
            where = f"id {self.broken_id}, {self.broken_at}" if self.broken_id is not None else "end of chain"
            return f"BROKEN at {where}: {self.reason} ({self.checked} rows checked before it)"
        waiting = f", {self.pending} awaiting their SM3 seal" if self.pending else ""
        return f"OK {self.checked} rows{waiting}"


def verify(session: Session, progress: Callable[[int], None] | None = None) -> Verdict:
    """Walk the chain from its anchor in seq order and stop at the first broken link."""
    head = session.execute(_HEAD).one()
    verdict, seq, prev = Verdict(), head.anchor_seq, head.anchor_hash
    while True:
        rows = session.execute(_ROWS, {"after": seq, "limit": BATCH}).all()
        for row in rows:
            if row.row_hash is None:  # SM3 not sealed yet: this row and all after it wait
                verdict.pending = head.seq - row.seq + 1
                return verdict
            reason = _link_error(row, seq, prev)
            if reason:
                verdict.broken_id, verdict.broken_at, verdict.reason = row.id, row.at.isoformat(), reason
                return verdict
            seq, prev = row.seq, row.row_hash
            verdict.checked += 1
        if progress:
            progress(verdict.checked)
        if len(rows) < BATCH:
            break
    if (seq, prev) != (head.seq, head.hash):
        verdict.reason = f"the chain ends at seq {seq} but its head says {head.seq}: rows removed"
        return verdict
    outside = session.execute(_OUTSIDE).first()
    if outside is not None:
        verdict.broken_id, verdict.broken_at = outside.id, outside.at.isoformat()
        verdict.reason = "a committed row outside the chain (written while its seal was disabled)"
    return verdict


def _link_error(row, seq: int, prev: str) -> str | None:
    if row.seq != seq + 1:
        return f"seq {row.seq} follows {seq}: rows {seq + 1}…{row.seq - 1} are missing"
    if row.prev_hash != prev:
        return "prev_hash is not the hash of the row before it"
    if digest(row.hash_algo, prev, row.canon) != row.row_hash:
        return "the row's content does not match its hash (altered)"
    return None


def seal_pending(session: Session) -> int:
    """Hash the rows waiting for their SM3 seal, in seq order; returns how many (commits)."""
    with unit_of_work(session):
        head = session.execute(text("SELECT seq, hash FROM audit_chain FOR UPDATE")).one()
        if head.hash is not None:  # the chain's end is hashed: nothing waits (no scan every minute)
            return 0
        first = session.execute(
            text("SELECT min(seq) FROM audit_log WHERE seq IS NOT NULL AND row_hash IS NULL")
        ).scalar()
        if first is None:
            return 0
        prev = session.execute(text("SELECT row_hash FROM audit_log WHERE seq = :s"), {"s": first - 1}).scalar()
        prev = prev or session.execute(text("SELECT anchor_hash FROM audit_chain")).scalar()
        rows = session.execute(_ROWS, {"after": first - 1, "limit": head.seq - first + 1}).all()
        ids, prevs, hashes = [], [], []
        for row in rows:
            ids.append(row.id)
            prevs.append(prev)
            prev = digest(row.hash_algo, prev, row.canon)
            hashes.append(prev)
        session.execute(_SEAL, {"ids": ids, "prevs": prevs, "hashes": hashes})  # one statement, as in SQL
        session.execute(text("UPDATE audit_chain SET hash = :h"), {"h": prev})
    return len(rows)


def prune(session: Session, days: int) -> int:
    """Delete audit rows older than ``days`` (at least 180) through the logged database function (commits)."""
    with unit_of_work(session):
        return session.execute(text("SELECT gisgrid_audit_prune(:days)"), {"days": days}).scalar()
