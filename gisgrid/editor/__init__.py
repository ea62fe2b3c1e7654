"""Boundary editor for planners: drafts, topology-safe edits, validation, versions, filing."""
