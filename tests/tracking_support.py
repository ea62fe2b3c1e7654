"""Shared pieces of the tracking/supervision tests: the people of world A/B and a fixed calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gisgrid.auth import roles

# a Monday with no holiday around it: deadlines in these tests are plain working-day arithmetic
DAY = date(2026, 11, 2)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class People:
    """County leader (A), town leader (A1), village staff (A1a), sibling village staff (A1b), foreign leader (B),
    a handler of department sthj, the dispatcher of A (领导小组办公室)."""

    county: object
    town: object
    village: object
    sibling: object
    foreign: object
    handler: object
    office: object


def people(make_user) -> People:
    """Accounts over world A/B (grid codes A > A1 > A1a, A1b; foreign county B)."""
    return People(
        county=make_user(roles.GRID_LEADER, grids=("A",)),
        town=make_user(roles.GRID_LEADER, grids=("A1",)),
        village=make_user(roles.GRID_STAFF, grids=("A1a",)),
        sibling=make_user(roles.GRID_STAFF, grids=("A1b",)),
        foreign=make_user(roles.GRID_LEADER, grids=("B",)),
        handler=make_user(roles.HANDLER, department="sthj"),
        office=make_user(roles.DISPATCHER, grids=("A",)),
    )
