"""环境安全隐患: hazards recorded by staff, their rectification, the public list, map and open data."""
