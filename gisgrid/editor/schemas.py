"""Request and response declarations of the boundary editor's JSON API."""

from __future__ import annotations

from marshmallow import EXCLUDE, INCLUDE, Schema, fields, validate

from gisgrid.contract.fields import FiniteNumber, QueryArgs
from gisgrid.contract.schemas import FeatureCollection
from gisgrid.editor.edits import OPERATIONS

_VERSION = {"validate": validate.Range(1, 2**31 - 1), "metadata": {"description": "版本号 (version id)"}}
_SEVERITIES = ("error", "warning")


class DiffArgs(QueryArgs):
    """``?a=&b=``: the two versions compared (from a to b)."""

    a = fields.Integer(required=True, **_VERSION)
    b = fields.Integer(required=True, **_VERSION)


class EditBody(Schema):
    """One edit: ``op``, the lock counters it was made against (``base``: code → lock) and the op's parameters."""

    class Meta:
        unknown = INCLUDE  # each op has its own parameters (code, old/new vertex, line, into, ...): edits.py

    op = fields.String(required=True, validate=validate.OneOf(list(OPERATIONS)))
    base = fields.Dict(keys=fields.String(), values=fields.Integer())


class ReassignBody(Schema):
    """``{kind: [item id, ...]}`` for the kinds of items registered (cases, sources, ...), checked by the service."""

    class Meta:
        unknown = INCLUDE


class ImportForm(Schema):
    """multipart/form-data: the edited GeoPackage (``file``, read by web.upload_to_temp), ``apply`` and ``stamp``."""

    class Meta:
        unknown = EXCLUDE

    file = fields.Raw(metadata={"type": "string", "format": "binary", "description": "GeoPackage (required)"})
    apply = fields.String(validate=validate.OneOf(["0", "1"]), metadata={"description": "1: apply the preview"})
    stamp = fields.String(validate=validate.Length(max=128), metadata={"description": "the preview's stamp"})
    repair = fields.String(validate=validate.OneOf(["0", "1"]), metadata={"description": "1: 修复 the file first"})
    snap_m = FiniteNumber(validate=validate.Range(0, 1000), metadata={"description": "修复: snap distance (m)"})
    max_gap_width_m = FiniteNumber(
        validate=validate.Range(0, 1000), metadata={"description": "修复: widest gap filled (m)"}
    )


class UnitGridBody(Schema):
    """A new or changed 重点监管单元网格: attributes of the field registry, ``parent_code``, a GeoJSON outline.

    ``lock_version`` is the counter the change was made against (absent: create). editor/units.py checks
    each value with the editor's attribute rules, so unknown keys pass here and are refused there by name.
    """

    class Meta:
        unknown = INCLUDE

    lock_version = fields.Integer(strict=True)
    parent_code = fields.String(validate=validate.Length(max=200))
    geometry = fields.Dict()


class DeleteArgs(QueryArgs):
    """``?lock_version=``: the counter the deletion was decided against."""

    lock_version = fields.Integer(required=True)


# --- responses ---------------------------------------------------------------------------------------


class Edited(Schema):
    op = fields.String(required=True, validate=validate.OneOf(list(OPERATIONS)))
    changed = fields.List(fields.String(), required=True)


class Problem(Schema):
    severity = fields.String(required=True, validate=validate.OneOf(_SEVERITIES))
    kind = fields.String(required=True)
    message = fields.String(required=True)
    code = fields.String(required=True, allow_none=True)
    source_index = fields.Integer(required=True, allow_none=True)
    area_m2 = fields.Float(required=True, allow_none=True)
    location = fields.List(fields.Float(), required=True, allow_none=True)
    name = fields.String(allow_none=True)


class Validation(Schema):
    """The validation report of a version: errors block publishing, warnings do not."""

    version_id = fields.Integer(required=True)
    errors = fields.Integer(required=True)
    warnings = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    problems = fields.List(fields.Nested(Problem), required=True)


class MovedItem(Schema):
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    item_id = fields.Integer(required=True)
    label = fields.String(required=True)
    old_code = fields.String(required=True, allow_none=True)
    new_code = fields.String(required=True, allow_none=True)
    lon = fields.Float(required=True)
    lat = fields.Float(required=True)


class DraftPublished(Schema):
    """The published draft and the open items whose grid moved."""

    version_id = fields.Integer(required=True)
    warnings = fields.Integer(required=True)
    moved = fields.List(fields.Nested(MovedItem), required=True)


class Moved(Schema):
    version_id = fields.Integer(required=True)
    items = fields.List(fields.Nested(MovedItem), required=True)


class Reassigned(Schema):
    reassigned = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class RolledBack(Schema):
    version_id = fields.Integer(required=True, metadata={"description": "the new published version"})


class DiffCounts(Schema):
    added = fields.Integer(required=True)
    removed = fields.Integer(required=True)
    reshaped = fields.Integer(required=True)
    reparented = fields.Integer(required=True)


class Diff(FeatureCollection):
    """Grids added, removed, reshaped and re-parented from version a to b (GeoJSON, with counts)."""

    a = fields.Integer(required=True)
    b = fields.Integer(required=True)
    counts = fields.Nested(DiffCounts, required=True)


class Imported(Schema):
    """A GeoPackage's change preview (or, applied, its result); ``stamp`` confirms the preview when applying."""

    version_id = fields.Integer(required=True)
    changes = fields.List(fields.Dict(), required=True)
    errors = fields.Integer(required=True)
    problems = fields.List(fields.Nested(Problem), required=True)
    stamp = fields.String(required=True)
    applied = fields.Boolean(required=True)
    repair = fields.Dict(
        allow_none=True, metadata={"description": "修复: the repair report, a GeoJSON FeatureCollection (or null)"}
    )


class UnitSaved(Schema):
    """The unit grid saved, with its new lock counter."""

    code = fields.String(required=True)
    lock_version = fields.Integer(required=True)
