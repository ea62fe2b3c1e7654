"""The ``Report`` value object: what every intake channel hands to intake, in the domain's own words.

Each channel (the web form and its hotline/patrol variants, Open311, later the mobile app) maps its
own field names onto a Report; intake (incidents/intake.py) takes only Reports and so never learns a
channel's vocabulary. A Report is validated on construction, so an invalid one cannot exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from gisgrid import web
from gisgrid.coords import NOT_A_NUMBER, CoordinateError, finite_number, point_to_wgs84
from gisgrid.errors import InvalidInput
from gisgrid.incidents.models import CHANNELS

# longest accepted text per field (the report form's maxlength says the same)
MAX_LENGTHS = {
    "category": 50,
    "description": 4000,
    "address": 500,
    "reporter_name": 100,
    "reporter_contact": 100,
    "client_request_id": 100,
}


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, {"field": field})


@dataclass(frozen=True)
class Report:
    """One report of a problem at a place (WGS84), with its reporter and photos, from one channel."""

    channel: str
    category: str
    description: str
    lon: float
    lat: float
    address: str | None = None
    reporter_name: str | None = None
    reporter_contact: str | None = None
    client_request_id: str | None = None  # the client's idempotency key: a retry returns the first case
    photos: tuple[tuple[str, bytes], ...] = ()  # (client file name, bytes), already size-capped by the reader

    def __post_init__(self) -> None:
        self._text_fields()
        if self.channel not in CHANNELS:
            raise _invalid("channel", f"未知渠道 {self.channel!r} (unknown channel)")
        if not self.category:
            raise _invalid("category", "请选择事件类别 (category is required)")
        if not self.description or len(self.description) > MAX_LENGTHS["description"]:
            raise _invalid("description", "请描述问题（1–4000 字）(description required, at most 4000 characters)")
        self._location()
        self._photos()

    def _text_fields(self) -> None:
        # normalise: surrounding blanks go, an empty optional field is None; too long is refused, not cut
        for name, limit in MAX_LENGTHS.items():
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise _invalid(name, f"{name} 须为文本 ({name} must be text)")
            value = (value or "").strip()
            if len(value) > limit:
                raise _invalid(name, f"{name} 过长，最多 {limit} 字 ({name}: at most {limit} characters)")
            object.__setattr__(self, name, value if value or name in ("category", "description") else None)

    def _location(self) -> None:
        for name, bound in (("lon", 180), ("lat", 90)):
            value = getattr(self, name)
            try:  # a value object holds numbers: text is the channel's to parse (``located``)
                if not isinstance(value, int | float):
                    raise ValueError(NOT_A_NUMBER)
                value = finite_number(value)
            except ValueError:
                raise _invalid(name, f"{name} 须为有限数字 ({name} must be a finite number)") from None
            if not -bound <= value <= bound:
                raise _invalid(name, f"{name} 超出范围 ±{bound} ({name} out of range)")
            object.__setattr__(self, name, value)

    def _photos(self) -> None:
        photos = tuple(self.photos)
        if not all(isinstance(n, str) and isinstance(d, bytes) for n, d in photos):
            raise _invalid("photos", "照片须为 (文件名, 字节) (photos must be (file name, bytes) pairs)")
        object.__setattr__(self, "photos", photos)


def located(x, y, crs: str | None, x_field: str = "lon", y_field: str = "lat") -> tuple[float, float]:
    """A channel's coordinates in ``crs`` (default WGS84) → WGS84 (lon, lat), or InvalidInput naming the field."""
    lon = web.finite_number(x, x_field, x_field)
    lat = web.finite_number(y, y_field, y_field)
    try:
        return point_to_wgs84(lon, lat, (crs or "").strip() or "wgs84")
    except CoordinateError as err:
        raise _invalid("crs", f"坐标无效：{err} (invalid location)") from None


def from_form(data: dict, photos=()) -> Report:
    """The web channel (report form, its hotline/patrol variants, JSON clients) → a Report."""
    lon, lat = located(data.get("lon"), data.get("lat"), data.get("crs"))
    return Report(
        channel=str(data.get("channel") or "web"),
        category=str(data.get("category") or ""),
        description=str(data.get("description") or ""),
        lon=lon,
        lat=lat,
        address=_text(data.get("address")),
        reporter_name=_text(data.get("name")),
        reporter_contact=_text(data.get("contact") or data.get("phone")),
        client_request_id=_text(data.get("client_request_id")),
        photos=tuple(photos),
    )


def _text(value) -> str | None:
    # JSON clients may send numbers (a phone number, a request id): text is what is stored
    return None if value is None else str(value)
