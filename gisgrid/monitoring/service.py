"""The station registry: register stations and their limits (one at a time or from CSV), scope checks.

A station's PW is written here and read only by the receiver (registry.py); nothing returned by
this module to a page or an API carries it (``public_view``).
"""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisgrid.auth.service import in_scope
from gisgrid.coords import finite_number
from gisgrid.db import unit_of_work
from gisgrid.errors import Forbidden, InvalidInput, NotFound, ValidationFailed
from gisgrid.monitoring.models import MEDIA, PERIODS, Limit, Station
from gisgrid.sources.models import PollutionSource
from gisgrid.sources.service import DISTRICT_WIDE

CODE = re.compile(r"^[A-Za-z0-9]{1,20}$")  # HJ 212 pollutant codes (a21026, w01018, 060)
MN = re.compile(r"^[A-Za-z0-9]{1,24}$")  # HJ 212-2017: MN is at most 24 characters
MEDIUM_WORDS = {"gas": "gas", "废气": "gas", "water": "water", "废水": "water"}
PERIOD_WORDS = {"rtd": "rtd", "实时": "rtd", "minute": "minute", "分钟": "minute"}
PERIOD_WORDS |= {"hour": "hour", "小时": "hour", "day": "day", "日": "day"}
CSV_COLUMNS = ("source_code", "mn", "name", "password", "medium", "lon", "lat", "interval_s", "public")
CSV_COLUMNS += ("case_category", "pollutant", "pollutant_name", "unit", "period", "limit")
MAX_ROWS = 20000


def may_see(user, source: PollutionSource) -> bool:
    """The source's stations are in the user's scope (its grids; department handlers everywhere)."""
    return in_scope(user, source.grid_codes) or getattr(user, "role", None) in DISTRICT_WIDE


def visible_station(session: Session, user, station_id: int) -> tuple[Station, PollutionSource]:
    """The station and its source, or 404 / 403 outside the user's grids."""
    station = session.get(Station, station_id)
    if station is None:
        raise NotFound(f"监控点 {station_id} 不存在 (no such station)")
    source = session.get(PollutionSource, station.source_id)
    if not may_see(user, source):
        raise Forbidden("该监控点不在您的网格范围内 (station outside your grids)")
    return station, source


def check_row(raw: dict) -> dict:
    """One registry row (station fields and optionally one limit) checked; a bad field is a 400 naming it."""
    v = {k: str(raw.get(k) if raw.get(k) is not None else "").strip() for k in CSV_COLUMNS}
    _require(v, "source_code", "请填写污染源编号 (source_code is required)")
    if not MN.match(v["mn"]):
        raise _bad("mn", "MN 须为 1–24 位字母或数字 (mn: 1-24 letters or digits)")
    _require(v, "name", "请填写监控点名称 (name is required)")
    if not 1 <= len(v["password"]) <= 64 or ";" in v["password"] or "&" in v["password"]:
        raise _bad("password", "访问密码须为 1–64 个字符，不含 ; 和 & (password: 1-64 characters, no ; or &)")
    out = {k: v[k] for k in ("source_code", "mn", "name", "password")}
    out["medium"] = _choice(v, "medium", MEDIUM_WORDS, f"须为 {'/'.join(MEDIA)} 或 废气/废水")
    out["lon"], out["lat"] = _number(v, "lon", -180, 180), _number(v, "lat", -90, 90)
    out["interval_s"] = int(_number(v, "interval_s", 10, 604800, default=600))
    out["public"] = v["public"].lower() in ("1", "true", "yes", "是")
    out["case_category"] = v["case_category"] or None
    out["limit"] = _limit(v) if v["pollutant"] else None
    return out


def _limit(v: dict) -> dict:
    if not CODE.match(v["pollutant"]):
        raise _bad("pollutant", "污染物编码须为 1–20 位字母或数字 (pollutant: HJ 212 code, e.g. a21026)")
    limit = _number(v, "limit", 0, 1e12, default=None) if v["limit"] else None
    return {
        "pollutant": v["pollutant"],
        "name": v["pollutant_name"] or None,
        "unit": v["unit"] or None,
        "period": _choice(v, "period", PERIOD_WORDS, f"须为 {'/'.join(PERIODS)}"),
        "limit_value": limit,
    }


def _require(v: dict, field: str, message: str) -> None:
    if not v[field] or len(v[field]) > 200:
        raise _bad(field, message)


def _choice(v: dict, field: str, words: dict, why: str) -> str:
    found = words.get(v[field].lower())
    if found is None:
        raise _bad(field, f"{why} ({field}: one of {', '.join(sorted(set(words.values())))})")
    return found


def _number(v: dict, field: str, low: float, high: float, default: float | None = ...) -> float:
    if not v[field] and default is not ...:
        return default
    try:
        number = finite_number(v[field])
    except (TypeError, ValueError):
        raise _bad(field, "须为有限数字 (must be a finite number)") from None
    if not low <= number <= high:
        raise _bad(field, f"须在 {low:g} 到 {high:g} 之间 (must be between {low:g} and {high:g})")
    return number


def _bad(field: str, why: str) -> InvalidInput:
    return InvalidInput(f"{field}: {why}", {"field": field})


def register(session: Session, user, raw_rows: list[dict], single: bool = False) -> list[Station]:
    """Register (or update, by MN) stations and their limits: every row or none; each bad row is listed.

    ``user`` None is the command line, which may register stations of any source. ``single``: the rows
    are one station's (the API, a form), so its first problem is its own 400/403/404 naming the field.
    """
    checked, problems = [], []
    sources = _sources(session, {str(r.get("source_code") or "").strip() for r in raw_rows})
    for number, raw in enumerate(raw_rows, start=1):
        try:
            row = check_row(raw)
            row["source"] = _source_for(user, sources, row["source_code"])
            checked.append(row)
        except (InvalidInput, Forbidden, NotFound) as err:
            if single:
                raise
            problems.append({"row": number, "message": err.message})
    if problems:
        raise ValidationFailed(
            f"{len(problems)} 行有误，未导入任何监控点 ({len(problems)} rows refused, nothing imported)", problems
        )
    with unit_of_work(session, conflict="MN 已被同时登记，请重试 (MN registered concurrently, retry)"):
        stations = {}
        for row in checked:
            station = stations.get(row["mn"]) or _upsert_station(session, row)
            stations[row["mn"]] = station
            if row["limit"]:
                _upsert_limit(session, station, row["limit"])
        session.flush()
    return list(stations.values())


def _sources(session: Session, codes: set[str]) -> dict[str, PollutionSource]:
    return {s.code: s for s in session.scalars(select(PollutionSource).where(PollutionSource.code.in_(codes)))}


def _source_for(user, sources: dict, code: str) -> PollutionSource:
    source = sources.get(code)
    if source is None:
        raise NotFound(f"source_code: 污染源 {code} 未登记 (no such source)")
    if user is not None and not may_see(user, source):  # None: the command line, which may register anywhere
        raise Forbidden(f"source_code: 污染源 {code} 不在您的网格范围内 (source outside your grids)")
    return source


def _upsert_station(session: Session, row: dict) -> Station:
    station = session.scalar(select(Station).where(Station.mn == row["mn"]))
    if station is None:
        station = Station(mn=row["mn"])
        session.add(station)
    station.source_id, station.name, station.password = row["source"].id, row["name"], row["password"]
    station.medium, station.interval_s, station.public = row["medium"], row["interval_s"], row["public"]
    station.case_category = row["case_category"]
    station.location = func.ST_SetSRID(func.ST_MakePoint(row["lon"], row["lat"]), 4326)
    session.flush()
    return station


def _upsert_limit(session: Session, station: Station, limit: dict) -> None:
    found = session.scalar(
        select(Limit).where(
            Limit.station_id == station.id, Limit.pollutant == limit["pollutant"], Limit.period == limit["period"]
        )
    )
    if found is None:
        found = Limit(station_id=station.id, pollutant=limit["pollutant"], period=limit["period"])
        session.add(found)
    found.name, found.unit, found.limit_value = limit["name"], limit["unit"], limit["limit_value"]


def import_csv(session: Session, data: bytes, user=None) -> int:
    """Register stations from CSV bytes (UTF-8, BOM or not; header of CSV_COLUMNS); ``user`` None: no scope."""
    try:
        text_ = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _bad("file", "文件须为 UTF-8 编码的 CSV (file must be UTF-8 CSV)") from None
    reader = csv.DictReader(io.StringIO(text_))
    missing = [
        c
        for c in ("source_code", "mn", "name", "password", "medium", "lon", "lat")
        if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise _bad("file", f"缺少列 {', '.join(missing)} (missing columns)")
    rows = list(reader)
    if not rows or len(rows) > MAX_ROWS:
        raise _bad("file", f"须有 1–{MAX_ROWS} 行数据 (1 to {MAX_ROWS} rows)")
    return len(register(session, user, rows))


def public_view(station: Station, lon: float, lat: float) -> dict:
    """A station as pages and APIs show it: never its password."""
    return {
        "id": station.id,
        "source_id": station.source_id,
        "mn": station.mn,
        "name": station.name,
        "medium": station.medium,
        "lon": lon,
        "lat": lat,
        "interval_s": station.interval_s,
        "public": station.public,
        "active": station.active,
        "case_category": station.case_category,
        "limits": [
            {
                "pollutant": lim.pollutant,
                "name": lim.name,
                "unit": lim.unit,
                "period": lim.period,
                "limit": lim.limit_value,
            }
            for lim in station.limits
        ],
    }


def register_one(session: Session, user, body: dict) -> Station:
    """Register one station from the API's declared body (its limits become one row each)."""
    base = {k: body.get(k) for k in ("source_code", "mn", "name", "password", "medium", "lon", "lat")}
    base |= {"interval_s": body.get("interval_s"), "public": "1" if body.get("public") else "0"}
    base["case_category"] = body.get("case_category")
    rows = [
        base
        | {"pollutant": x["pollutant"], "pollutant_name": x.get("name"), "unit": x.get("unit")}
        | {"period": x["period"], "limit": x.get("limit")}
        for x in body.get("limits") or []
    ]
    (station,) = register(session, user, rows or [base], single=True)
    return station
