"""Pollution sources: registry, A/B/C classes, inspections, 双随机 draws."""

from gisgrid.sources import links as _links  # noqa: F401  registers the case-page links to sources
from gisgrid.sources import reassign as _reassign  # noqa: F401  registers the "source" reassignment provider
