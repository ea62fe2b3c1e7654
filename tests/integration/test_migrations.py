"""The Alembic migrations create exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gisgrid.models import Base, load_all

load_all()


def _ignore_postgis(obj, name, type_, reflected, compare_to):
    # PostGIS's own tables (spatial_ref_sys, ...) are not ours
    return not (type_ == "table" and reflected and compare_to is None)


def test_models_match_migrations(connection):
    context = MigrationContext.configure(connection, opts={"include_object": _ignore_postgis})
    assert compare_metadata(context, Base.metadata) == []
