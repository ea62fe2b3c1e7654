"""Tracked items: something an owner must do by a date, watched by the unit above (督办, decisions, rectifications)."""
