"""The editor adds no tables: its columns (grid.lock_version, edited_by, edited_at,
boundary_version.based_on_id, created_by) live on the grid models, migration 0006."""
from gisgrid.grids.models import BoundaryVersion, Grid  # noqa: F401  (registered on Base.metadata)
