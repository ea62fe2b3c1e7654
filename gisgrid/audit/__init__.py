"""Audit trail: who changed which boundary, case or source, and when (admins query it)."""
