"""0018_scale640: a single lookup's probe of grid_part never runs as a parallel plan."""

from sqlalchemy import text

PROBE = (
    "EXPLAIN SELECT grid_id FROM grid_part WHERE version_id = 1 AND "
    "ST_Covers(geom, ST_SetSRID(ST_MakePoint(115.1, 35.1), 4326)) ORDER BY level DESC, code LIMIT 1"
)


def _plan(connection) -> str:
    # parallel plans made free: without the table option the planner would pick one even on an empty table
    for setting in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size"):
        connection.execute(text(f"SET LOCAL {setting} = 0"))
    connection.execute(text("SET LOCAL max_parallel_workers_per_gather = 2"))
    return "\n".join(row[0] for row in connection.execute(text(PROBE)))


def test_grid_part_is_never_scanned_in_parallel(connection):
    options = connection.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'grid_part'")).scalar_one()
    assert "parallel_workers=0" in options
    assert "Gather" not in _plan(connection)


def test_without_the_option_the_same_probe_would_go_parallel(connection):
    # the reason for the migration, shown on this database: the probe does plan a Gather once the option is gone
    connection.execute(text("ALTER TABLE grid_part RESET (parallel_workers)"))  # rolled back with the test
    assert "Gather" in _plan(connection)
