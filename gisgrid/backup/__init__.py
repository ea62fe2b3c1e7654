"""Backups: one archive with the database dump, the stored media files and a manifest; all-or-nothing restore."""
