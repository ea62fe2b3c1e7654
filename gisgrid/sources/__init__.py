"""Pollution sources: registry, A/B/C classes, inspections, 双随机 draws."""

from gisgrid.sources import reassign as _reassign  # noqa: F401  registers the "source" reassignment provider
