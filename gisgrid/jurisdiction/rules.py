"""The 移送制度 第五条 as plain functions (no database): who has jurisdiction, who holds it, who designates.

造成跨行政区域环境污染的案件，由污染行为发生地网格单位管辖。两个以上网格单位都有管辖权的案件，由最先发现
或者最先接到举报的网格单位管辖。对管辖权发生争议时，争议双方应报请共同的上一级网格单位指定管辖。
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

# why a grid holds the case; the labels are what the panel shows
ACT_LOCATION = "act_location"  # one grid has jurisdiction: where the act occurs
FIRST_RECEIVED = "first_received"  # several: the one that discovered it or received a report first
DESIGNATED = "designated"  # the common superior designated one after a dispute
UNDETERMINED = "undetermined"  # several, and no report decides it: the common superior must designate
RULE_LABELS = {
    ACT_LOCATION: "污染行为发生地网格单位管辖",
    FIRST_RECEIVED: "最先发现或者最先接到举报的网格单位管辖",
    DESIGNATED: "共同的上一级网格单位指定管辖",
    UNDETERMINED: "尚无法确定：须报请共同的上一级网格单位指定管辖",
}
DISCOVERED, REPORTED = "discovered", "reported"  # a patrol found it / the public reported it


@dataclass(frozen=True)
class Hit:
    """A grid reached by the act (it has jurisdiction) or by the harm (it is affected)."""

    code: str
    name: str
    level: int
    chain: tuple[str, ...]  # codes from the top grid down to this one
    names: tuple[str, ...]
    measure: float  # points covered, metres of line or square metres inside the grid
    share: float  # of the whole act or harm area, 0–1
    kinds: tuple[str, ...] = ()  # for harm: observed, buffer, wind, downstream


@dataclass(frozen=True)
class Report:
    """A linked case as the rules see it: which grid chain received it, when, and through which channel."""

    incident_id: int
    chain: tuple[str, ...]
    at: datetime
    channel: str


@dataclass(frozen=True)
class Claim:
    """The first time a grid with jurisdiction discovered the event or received a report of it."""

    code: str
    at: datetime
    incident_id: int
    how: str


@dataclass(frozen=True)
class Decision:
    """A decided dispute: the designated grid and why."""

    dispute_id: int
    designated: str
    deciding: str | None
    reason: str


@dataclass(frozen=True)
class Outcome:
    """Who holds the case, by which rule, who would designate, and the first claims that were weighed."""

    holder: str | None
    rule: str
    deciding: str | None
    claims: dict[str, Claim] = field(default_factory=dict)


def common_superior(chains: Iterable[Sequence[str]]) -> str | None:
    """The lowest grid above every one of the given grids (by their chains), or None if they share none."""
    chains = [tuple(c) for c in chains]
    if not chains:
        return None
    # a party is never its own superior: stop one short of the shortest chain
    limit = min(len(c) for c in chains) - 1
    common = None
    for depth in range(limit):
        codes = {c[depth] for c in chains}
        if len(codes) != 1:
            break
        common = codes.pop()
    return common


def first_claims(jurisdiction: Sequence[Hit], reports: Iterable[Report]) -> dict[str, Claim]:
    """For each grid with jurisdiction, its earliest report (a report counts for every grid in its chain)."""
    codes = {hit.code for hit in jurisdiction}
    claims: dict[str, Claim] = {}
    for report in sorted(reports, key=lambda r: (r.at, r.incident_id)):
        how = DISCOVERED if report.channel == "patrol" else REPORTED
        for code in codes.intersection(report.chain):
            claims.setdefault(code, Claim(code, report.at, report.incident_id, how))
    return claims


def _earliest(claims: dict[str, Claim]) -> str | None:
    if not claims:
        return None
    ordered = sorted(claims.values(), key=lambda c: c.at)
    # two grids receiving reports at the same instant: the rule cannot choose, a superior must
    if len(ordered) > 1 and ordered[0].at == ordered[1].at:
        return None
    return ordered[0].code


def decide(jurisdiction: Sequence[Hit], reports: Iterable[Report], decision: Decision | None = None) -> Outcome:
    """Apply 第五条: act location, then first discovery/report, then a recorded designation."""
    claims = first_claims(jurisdiction, reports)
    deciding = common_superior(hit.chain for hit in jurisdiction) if len(jurisdiction) > 1 else None
    if decision is not None:
        return Outcome(decision.designated, DESIGNATED, decision.deciding, claims)
    if len(jurisdiction) == 1:
        return Outcome(jurisdiction[0].code, ACT_LOCATION, None, claims)
    holder = _earliest(claims)
    if holder is None:
        return Outcome(None, UNDETERMINED, deciding, claims)
    return Outcome(holder, FIRST_RECEIVED, deciding, claims)


def merge_hits(groups: Iterable[tuple[str, Sequence[Hit]]]) -> list[Hit]:
    """Harm hits of several areas (kind, hits) → one hit per grid with every kind that reached it; its measure
    and share are those of the area that covers most of itself there (units differ between kinds)."""
    merged: dict[str, Hit] = {}
    for kind, hits in groups:
        for hit in hits:
            known = merged.get(hit.code)
            kinds = (known.kinds if known else ()) + ((kind,) if not known or kind not in known.kinds else ())
            best = hit if known is None or hit.share > known.share else known
            merged[hit.code] = replace(best, kinds=kinds)
    return sorted(merged.values(), key=lambda h: h.chain)
