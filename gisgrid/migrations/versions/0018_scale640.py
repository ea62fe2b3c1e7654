"""No parallel scans of ``grid_part``: a single lookup's ST_Covers probe must not start a parallel worker.

At 640,000 grids (2.2 million lookup parts) the planner estimates ~2,200 rows for the point's index probe
(0.1 % of the table) and plans a Parallel Bitmap Heap Scan under a Gather: starting the worker costs
30-60 ms per lookup, against 0.5-0.9 ms for the same probe without it (measured on gisgrid_bench_640).
At 100,000 grids the estimate stays under the parallel threshold, which is why it only shows at
national scale. Nothing reads ``grid_part`` in bulk in a request, so parallelism never pays here.

Revision ID: 0018_scale640
Revises: 0017_h25tiles
Create Date: 2026-12-05
"""

from alembic import op

revision = "0018_scale640"
down_revision = "0017_h25tiles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE grid_part SET (parallel_workers = 0)")


def downgrade() -> None:
    op.execute("ALTER TABLE grid_part RESET (parallel_workers)")
