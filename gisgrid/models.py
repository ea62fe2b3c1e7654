"""ORM models shared across domains (one declarative base, one metadata)."""
from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base for every gisgrid table."""
