"""信息公开 (no login): the public register of pollution sources with their emission data, and open data.

Every output reads the views of migration 0016_disclose (public_source, public_station, public_hazard),
never the tables, so a source or hazard not marked public, a phone or an internal note cannot reach it.
"""
