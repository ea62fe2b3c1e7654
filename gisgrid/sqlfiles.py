"""Load SQL files shipped inside packages (tipg style: non-trivial SQL lives in .sql files)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from sqlalchemy import text
from sqlalchemy.sql.elements import TextClause

_STATEMENT_END = re.compile(r";\s*(?:\n|$)")


@cache
def statements(package: str, name: str, **fills: str) -> tuple[TextClause, ...]:
    """The statements of ``package/sql/name`` as SQLAlchemy text clauses, in order.

    ``fills`` replace ``/*key*/`` markers: column lists generated from a registry (never user input).
    """
    source = (resources.files(package) / "sql" / name).read_text(encoding="utf-8")
    for key, value in fills.items():
        source = source.replace(f"/*{key}*/", value)
    lines = [line for line in source.splitlines() if not line.lstrip().startswith("--")]
    parts = _STATEMENT_END.split("\n".join(lines))
    return tuple(text(part.strip()) for part in parts if part.strip())


def statement(package: str, name: str, **fills: str) -> TextClause:
    """The single statement of a .sql file (``fills`` as in ``statements``)."""
    (only,) = statements(package, name, **fills)
    return only
