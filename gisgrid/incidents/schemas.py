"""Request and response contract of the case APIs at /api/v1/incidents (validated by webargs, documented by apispec).

The bodies declare types; the domain's own rules (lengths, ranges after CRS conversion, known categories and
departments) stay where every channel meets them: the ``Report`` value object and the workflow services.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, fields, validate

from gisgrid.contract.fields import Crs, Day, FiniteNumber, QueryArgs
from gisgrid.contract.schemas import Feature
from gisgrid.incidents.models import CHANNELS, OUTCOMES, PHOTO_STAGES, POSTED_CHANNELS, STATES, TRANSFER_STATES
from gisgrid.incidents.photos import ACTION_FIELDS, MAX_PHOTOS
from gisgrid.incidents.report import MAX_LENGTHS
from gisgrid.incidents.workflow import LABELS, MOVES

# every action the actions endpoint knows: the state moves plus transfers and joint sub-tasks
ACTIONS = (
    *MOVES,
    "transfer",
    "transfer_accept",
    "transfer_return",
    "transfer_complete",
    "transfer_feedback",
    "task_done",
)
_FILES = {"type": "array", "items": {"type": "string", "format": "binary"}, "maxItems": MAX_PHOTOS}


class Text(fields.String):
    """Text; a JSON number (a phone number, a request id) is taken as its text, as the form would send it."""

    default_error_messages = {"invalid": "须为文本 (must be text)", "required": "缺少参数 (missing)"}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)


def _limit(name: str, description: str = "") -> dict:
    # documented here, refused by the Report (so every channel names the field the same way)
    return {"metadata": {"maxLength": MAX_LENGTHS[name], **({"description": description} if description else {})}}


class ReportBody(Schema):
    """A report from the web form, the hotline/patrol intake or a JSON client (lon/lat in ``crs``, default WGS84)."""

    class Meta:
        unknown = EXCLUDE  # the form also posts csrf_token

    category = Text(required=True, **_limit("category", "事件类别代码 (duty matrix code)"))
    description = Text(required=True, **_limit("description"))
    lon = FiniteNumber(required=True, metadata={"description": "经度 (or x in crs)"})
    lat = FiniteNumber(required=True, metadata={"description": "纬度 (or y in crs)"})
    crs = Crs()
    address = Text(**_limit("address"))
    name = Text(**_limit("reporter_name", "举报人姓名"))
    contact = Text(**_limit("reporter_contact", "联系方式"))
    phone = Text(**_limit("reporter_contact", "联系方式 (if no contact)"))
    channel = fields.String(
        load_default="web",
        validate=validate.OneOf(POSTED_CHANNELS, error="未知渠道 (unknown channel: one of {choices})"),
    )
    client_request_id = Text(**_limit("client_request_id", "idempotency key: a retry returns the first case"))


class ReportForm(ReportBody):
    """The report as multipart/form-data, with up to five photos (JPEG, PNG or WebP)."""

    photos = fields.Raw(metadata=_FILES)


class Departments(fields.Field):
    """Department codes: a list, or one text with codes separated by ``,`` or ``|`` (as a form field sends them)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            return value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError("应为部门代码列表 (must be a list of department codes)")
        return value


class ActionBody(Schema):
    """What the actions take: reason, result, departments (dispatch), score (evaluate), transfer and task ids."""

    class Meta:
        unknown = EXCLUDE  # the detail page's forms also post csrf_token

    reason = Text()
    result = Text()
    departments = Departments(
        metadata={"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
    )
    score = fields.Integer(validate=validate.Range(1, 5, error="评分须为 1–5 (score must be 1..5)"))
    to_department = Text(metadata={"description": "transfer: the receiving unit (default: the kind's unit)"})
    kind = Text(
        metadata={
            "description": "transfer: the route of 移送制度 第一、二条 (department, government, police, "
            "discipline, judicial)"
        }
    )
    completed_on = Text(metadata={"description": "transfer_complete: the day 查处 was completed (YYYY-MM-DD)"})
    feedback = Text()
    transfer_id = fields.Integer()
    task_id = fields.Integer()
    outcome = Text(metadata={"description": "close: the result achieved (resolved, partial, unresolved)"})
    outcome_reason = Text(metadata={"description": "close: why it is unresolved (required then)"})


class ActionForm(ActionBody):
    """An action as multipart/form-data with photos (handle: photos_before/photos_after; verify, rework: photos)."""

    class Meta:
        unknown = EXCLUDE
        include = {name: fields.Raw(metadata=_FILES) for name in sorted({f for v in ACTION_FIELDS.values() for f in v})}


class PublishBody(Schema):
    """``published``: true (default) to publish, false to withdraw."""

    published = fields.Boolean(load_default=True)


class ListArgs(QueryArgs):
    """``?state=`` and ``?escalated=1`` filter the cases in the user's scope."""

    state = fields.String(validate=validate.OneOf(STATES))
    escalated = fields.String(validate=validate.OneOf(("0", "1")))


_LEVEL = {"load_default": 2, "validate": validate.Range(1, 10)}


class LevelArgs(QueryArgs):
    """``?level=`` (default 2)."""

    level = fields.Integer(load_default=2, validate=validate.Range(1, 99))


class PeriodArgs(QueryArgs):
    """``?from=&to=`` (inclusive days; default the last 365 days) and ``?level=`` (default 2)."""

    from_ = Day(data_key="from")
    to = Day()
    level = fields.Integer(**_LEVEL)


class KpiArgs(PeriodArgs):
    """The period, ``by`` grid or department, and ``format`` json or csv."""

    by = fields.String(load_default="grid", validate=validate.OneOf(("grid", "department")))
    format_ = fields.String(data_key="format", load_default="json", validate=validate.OneOf(("json", "csv")))


class Created(Schema):
    """The case made (201) or, for a repeated client_request_id, the first one (200)."""

    id = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    created = fields.Boolean(required=True)
    grid_codes = fields.List(fields.String(), required=True)
    unit_grid_codes = fields.List(fields.String(), required=True)  # 重点监管单元网格 covering the point
    client_request_id = fields.String(required=True, allow_none=True)


class Summary(Schema):
    """A case in the list and on the map."""

    id = fields.Integer(required=True)
    category = fields.String(required=True)
    category_name = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    state_label = fields.String(required=True)
    lon = fields.Float(required=True)
    lat = fields.Float(required=True)
    grid_codes = fields.List(fields.String(), required=True)
    unit_grid_codes = fields.List(fields.String(), required=True)  # 重点监管单元网格 covering the point
    departments = fields.List(fields.String(), required=True)
    deadline = fields.Date(required=True, allow_none=True)
    overdue = fields.Boolean(required=True)
    transfer_overdue = fields.Boolean(required=True, metadata={"description": "a transfer's feedback is overdue"})
    escalated_to = fields.String(required=True, allow_none=True)
    reported_at = fields.DateTime(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    description = fields.String(required=True)


class Cases(Schema):
    """The cases in the user's scope."""

    cases = fields.List(fields.Nested(Summary), required=True)


class CaseEvent(Schema):
    """One step of the audit timeline."""

    class Meta:
        include = {
            "from": fields.String(required=True, allow_none=True),  # "" for the report itself
            "to": fields.String(required=True, validate=validate.OneOf(STATES)),
        }

    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True, validate=validate.OneOf(LABELS))
    reason = fields.String(required=True, allow_none=True)


class Transfer(Schema):
    """A transfer to another unit (移送) and its answer and feedback."""

    class Meta:
        include = {"from": fields.String(required=True, allow_none=True), "to": fields.String(required=True)}

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    wording = fields.String(required=True)
    reason = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(TRANSFER_STATES))
    answer = fields.String(required=True, allow_none=True)
    completed_on = fields.Date(required=True, allow_none=True, metadata={"description": "查处完成"})
    feedback_due = fields.Date(required=True, allow_none=True, metadata={"description": "15 working days after it"})
    feedback_overdue = fields.Boolean(required=True)
    feedback_status = fields.String(required=True, allow_none=True)
    feedback = fields.String(required=True, allow_none=True)
    escalated_to = fields.String(required=True, allow_none=True)
    file = fields.List(fields.String(), required=True, metadata={"description": "the case file's copies (URLs)"})


class Task(Schema):
    """A joint-enforcement sub-task of one department."""

    id = fields.Integer(required=True)
    department = fields.String(required=True)
    done = fields.Boolean(required=True)
    result = fields.String(required=True, allow_none=True)


class Photo(Schema):
    """A photo of the case and whether the public may see it."""

    id = fields.Integer(required=True)
    url = fields.String(required=True)
    published = fields.Boolean(required=True)
    stage = fields.String(required=True, validate=validate.OneOf(PHOTO_STAGES))


class CaseLink(Schema):
    """Another domain's link to the case: the inspection that opened it, the source registered from it."""

    class Meta:
        unknown = INCLUDE

    kind = fields.String(required=True)
    label = fields.String(required=True)
    url = fields.String(required=True, allow_none=True)


class MaskedReporter(Schema):
    """The reporter, masked (138****5678, 张*); ``may_reveal``: this user may ask for the real values."""

    name = fields.String(required=True, allow_none=True)
    contact = fields.String(required=True, allow_none=True)
    may_reveal = fields.Boolean(required=True)


class Detail(Summary):
    """One case with its audit timeline, transfers, joint sub-tasks and photos."""

    version_id = fields.Integer(required=True)
    result = fields.String(required=True, allow_none=True)
    rework_count = fields.Integer(required=True)
    score = fields.Integer(required=True, allow_none=True)
    organiser = fields.String(required=True, allow_none=True)
    outcome = fields.String(required=True, allow_none=True, validate=validate.OneOf(OUTCOMES))
    outcome_reason = fields.String(required=True, allow_none=True)
    client_request_id = fields.String(required=True, allow_none=True)
    allowed_actions = fields.List(fields.String(validate=validate.OneOf(MOVES)), required=True)
    reporter = fields.Nested(MaskedReporter, required=True)
    events = fields.List(fields.Nested(CaseEvent), required=True)
    transfers = fields.List(fields.Nested(Transfer), required=True)
    tasks = fields.List(fields.Nested(Task), required=True)
    photos = fields.List(fields.Nested(Photo), required=True)
    links = fields.List(fields.Nested(CaseLink), required=True)


class PhotoPublished(Schema):
    """The photo and its new state."""

    id = fields.Integer(required=True)
    published = fields.Boolean(required=True)


class Category(Schema):
    """One active row of the duty matrix."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    departments = fields.List(fields.String(), required=True)
    deadline_days = fields.Integer(required=True)


class Categories(Schema):
    """The active duty matrix."""

    categories = fields.List(fields.Nested(Category), required=True)


class KpiRow(Schema):
    """The KPIs of one grid or department; a rate is null when its denominator is 0."""

    key = fields.String(required=True)
    name = fields.String(required=True)
    reported = fields.Integer(required=True)
    registered = fields.Integer(required=True)
    handled = fields.Integer(required=True)
    closed = fields.Integer(required=True)
    registration_rate = fields.Float(required=True, allow_none=True)
    on_time_rate = fields.Float(required=True, allow_none=True)
    closure_rate = fields.Float(required=True, allow_none=True)
    rework_rate = fields.Float(required=True, allow_none=True)
    mean_handling_days = fields.Float(required=True, allow_none=True)
    resolved = fields.Integer(required=True)
    partial = fields.Integer(required=True)
    unresolved = fields.Integer(required=True)
    fix_rate = fields.Float(
        required=True, allow_none=True, metadata={"description": "resolved / closed cases that carry an outcome"}
    )


class KpiTable(Schema):
    """KPI rows for the period."""

    class Meta:
        include = {"from": fields.Date(required=True)}

    to = fields.Date(required=True)
    rows = fields.List(fields.Nested(KpiRow), required=True)


class GridName(Schema):
    """A grid's code and name."""

    code = fields.String(required=True)
    name = fields.String(required=True)


class KpiProperties(GridName):
    """A grid's code, name and KPIs (only ``reported`` = 0 when no case was reported there)."""

    key = fields.String(metadata={"description": "the code again, with the KPIs"})
    reported = fields.Integer(required=True)
    registered = fields.Integer()
    handled = fields.Integer()
    closed = fields.Integer()
    registration_rate = fields.Float(allow_none=True)
    on_time_rate = fields.Float(allow_none=True)
    closure_rate = fields.Float(allow_none=True)
    rework_rate = fields.Float(allow_none=True)
    mean_handling_days = fields.Float(allow_none=True)
    resolved = fields.Integer()
    partial = fields.Integer()
    unresolved = fields.Integer()
    fix_rate = fields.Float(allow_none=True)


class GridShape(Feature):
    """A simplified grid boundary."""

    geometry = fields.Dict(required=True)
    properties = fields.Nested(GridName, required=True)


class GridShapes(Schema):
    """The simplified grids of one level of the published version."""

    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Nested(GridShape), required=True)


class KpiFeature(GridShape):
    """A grid with its KPIs."""

    properties = fields.Nested(KpiProperties, required=True)


class KpiMap(GridShapes):
    """The grids of a level with their KPIs (the choropleth)."""

    features = fields.List(fields.Nested(KpiFeature), required=True)


class PublicReplyBody(Schema):
    """The handler's reply marked public (信息公开): shown on /report/status and in Open311 status_notes."""

    body = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class PublicReply(Schema):
    body = fields.String(required=True)
    at = fields.String(allow_none=True)
