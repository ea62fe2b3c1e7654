"""The audit trail's hash chain: verify it, seal SM3 transactions, prune old rows.

Two schemes are read. Rows written since migration 0017_h21chain are sealed per transaction
(audit/sql/audit_seal.sql, checked in ``seals``); rows sealed before carry per-row hashes
(audit/sql/audit_chain.sql, checked here): H(prev_hash || canonical text), hex. The per-row chain comes
first and the first seal links to its end. The canonical text of a row is computed by the database
(``gisgrid_audit_canon``) for sealing and for checking alike, so Python and SQL hash the same bytes.
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
_HEAD = text(
    "SELECT seq, hash, anchor_seq, anchor_hash, tx_seq, tx_hash, tx_anchor_seq, tx_anchor_hash FROM audit_chain"
)
# a committed row without a place in the chain (neither a per-row seal nor in a transaction's seal):
# inserted while the owner had the seal trigger disabled, or slipped in later. EXCEPT (a hash or sort of
# both sides), not NOT EXISTS against each seal's ids: the planner ran that as a loop over every id of
# every seal per row, quadratic
_OUTSIDE = text(
    "SELECT a.id, a.at FROM audit_log AS a WHERE a.id = (SELECT min(id) FROM ("
    " SELECT id FROM audit_log WHERE seq IS NULL AND txid IS DISTINCT FROM txid_current_if_assigned()"
    " EXCEPT SELECT unnest(ids) FROM audit_seal) AS outside)"
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
    broken_tx: int | None = None  # the seal (transaction) it is in, for rows sealed per transaction

    @property
    def ok(self) -> bool:
        """True when no link is broken."""
        return self.reason is None

    def line(self) -> str:
        """One line for the command and the page."""
        if not self.ok:
            return f"BROKEN at {self._where()}: {self.reason} ({self.checked} rows checked before it)"
        waiting = f", {self.pending} awaiting their SM3 seal" if self.pending else ""
        return f"OK {self.checked} rows{waiting}"

    def _where(self) -> str:
        row = f"id {self.broken_id}" + (f", {self.broken_at}" if self.broken_at else "")
        tx = f"transaction {self.broken_tx}"
        if self.broken_id is not None:
            return f"{row} in {tx}" if self.broken_tx is not None else row
        return tx if self.broken_tx is not None else "end of chain"

    def broken(self, reason: str, row_id: int | None = None, at=None, tx: int | None = None) -> Verdict:
        """Record the first broken link (and return self)."""
        self.reason, self.broken_id, self.broken_tx = reason, row_id, tx
        self.broken_at = at.isoformat() if at is not None else None
        return self


def verify(session: Session, progress: Callable[[int], None] | None = None) -> Verdict:
    """Walk the per-row chain, then the seals of the transactions after it; stop at the first broken link."""
    from gisgrid.audit import seals

    head = session.execute(_HEAD).one()
    verdict = _verify_rows(session, head, progress)
    if verdict.ok and not verdict.pending:
        seals.verify(session, head, verdict, progress)
    if verdict.ok:
        outside = session.execute(_OUTSIDE).first()
        if outside is not None:
            verdict.broken("a committed row outside the chain (written while its seal was disabled)", *outside)
    return verdict


def _verify_rows(session: Session, head, progress: Callable[[int], None] | None) -> Verdict:
    """The per-row chain (rows sealed before 0017_h21chain), from its anchor to its end."""
    verdict, seq, prev = Verdict(), head.anchor_seq, head.anchor_hash
    while True:
        rows = session.execute(_ROWS, {"after": seq, "limit": BATCH}).all()
        for row in rows:
            if row.row_hash is None:  # SM3 not sealed yet (before 0017): this row and all after it wait
                verdict.pending = head.seq - row.seq + 1
                return verdict
            reason = _link_error(row, seq, prev)
            if reason:
                return verdict.broken(reason, row.id, row.at)
            seq, prev = row.seq, row.row_hash
            verdict.checked += 1
        if progress:
            progress(verdict.checked)
        if len(rows) < BATCH:
            break
    if (seq, prev) != (head.seq, head.hash):
        verdict.broken(f"the chain ends at seq {seq} but its head says {head.seq}: rows removed")
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
    """Hash the transactions waiting for their SM3 seal, in seq order; returns how many rows (commits)."""
    from gisgrid.audit import seals

    with unit_of_work(session):
        return seals.seal_pending(session)


def prune(session: Session, days: int) -> int:
    """Delete audit rows older than ``days`` (at least 180) through the logged database function (commits)."""
    with unit_of_work(session):
        return session.execute(text("SELECT gisgrid_audit_prune(:days)"), {"days": days}).scalar()
