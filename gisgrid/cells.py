"""Spreadsheet cells made safe to open: text that a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

# OWASP CSV injection: a cell starting with one of these is a formula (or DDE) in Excel/WPS/LibreOffice
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value):
    """``value`` unchanged unless it is text a spreadsheet would evaluate; that gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_row(values) -> list:
    """Every cell of a row through :func:`safe_cell`."""
    return [safe_cell(v) for v in values]


def safe_dict(row: dict) -> dict:
    """Every value of a dict row through :func:`safe_cell`."""
    return {k: safe_cell(v) for k, v in row.items()}
