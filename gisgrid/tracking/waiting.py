"""督办 and other tracked items in the 待办 list: items I own and must handle, items I watch and must accept."""

from __future__ import annotations

from gisgrid.inbox.registry import register
from gisgrid.tracking.queries import waiting_for

register("tracked_items", waiting_for)
