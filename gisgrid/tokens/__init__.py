"""Personal API tokens: a user's revocable bearer credential for scripts and GIS clients (QGIS)."""
