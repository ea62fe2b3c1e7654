"""Resolve an act and its harm areas against one boundary version, and describe the result as JSON and a map."""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from gisgrid.clock import china_iso
from gisgrid.errors import ValidationFailed
from gisgrid.jurisdiction import queries, rules
from gisgrid.jurisdiction.rules import Hit


@dataclass(frozen=True)
class Area:
    """A harm area: observed, or derived from the act (buffer, wind, downstream) with its parameters."""

    kind: str
    geom: BaseGeometry
    params: dict


@dataclass(frozen=True)
class Resolution:
    """Grids with jurisdiction, affected and notified grids, and the outcome of the rules."""

    version_id: int
    act: BaseGeometry
    areas: tuple[Area, ...]
    jurisdiction: tuple[Hit, ...]
    affected: tuple[Hit, ...]
    outcome: rules.Outcome

    @property
    def notified(self) -> tuple[Hit, ...]:
        """Affected grids without jurisdiction: they are told, they do not handle."""
        having = {hit.code for hit in self.jurisdiction}
        return tuple(hit for hit in self.affected if hit.code not in having)

    @property
    def outside_share(self) -> float:
        """The part of the act outside every grid (0 when the grids cover it all)."""
        return max(0.0, 1.0 - sum(hit.share for hit in self.jurisdiction))


def resolve(
    session: Session, version_id: int, act: BaseGeometry, areas=(), reports=(), decision: rules.Decision | None = None
) -> Resolution:
    """Apply the rules to an act (and harm areas) in ``version_id``; an act outside every grid is refused."""
    jurisdiction = queries.grids_reached(session, version_id, act)
    if not jurisdiction:
        raise ValidationFailed("污染行为发生地不在任何网格内 (the act lies outside every grid of this version)")
    # every area has one dimension (observed points or polygons, derived polygons or river lines)
    affected = rules.merge_hits((area.kind, queries.grids_reached(session, version_id, area.geom)) for area in areas)
    outcome = rules.decide(jurisdiction, reports, decision)
    return Resolution(version_id, act, tuple(areas), tuple(jurisdiction), tuple(affected), outcome)


def _hit_json(hit: Hit, claims: dict[str, rules.Claim] | None = None) -> dict:
    body = {
        "code": hit.code,
        "name": hit.name,
        "level": hit.level,
        "chain": list(hit.chain),
        "names": list(hit.names),
        "measure": round(hit.measure, 3),
        "share": round(hit.share, 6),
    }
    if hit.kinds:
        body["kinds"] = [k for k in hit.kinds if k]
    if claims is not None:
        claim = claims.get(hit.code)
        body["first_claim"] = claim and {"at": china_iso(claim.at), "incident_id": claim.incident_id, "how": claim.how}
    return body


def _grid_ref(session: Session, version_id: int, code: str | None) -> dict | None:
    if code is None:
        return None
    name, level = queries.grid_names(session, version_id, [code]).get(code, (code, None))
    return {"code": code, "name": name, "level": level}


def to_json(session: Session, result: Resolution) -> dict:
    """The resolution as the API and the panel show it (grid names, rule label, first claims)."""
    outcome = result.outcome
    return {
        "version_id": result.version_id,
        "act_type": result.act.geom_type,
        "rule": outcome.rule,
        "rule_label": rules.RULE_LABELS[outcome.rule],
        "holder": _grid_ref(session, result.version_id, outcome.holder),
        "deciding": _grid_ref(session, result.version_id, outcome.deciding),
        "jurisdiction": [_hit_json(h, outcome.claims) for h in result.jurisdiction],
        "affected": [_hit_json(h) for h in result.affected],
        "notified": [h.code for h in result.notified],
        "outside_share": round(result.outside_share, 6),
    }


def _involved(result: Resolution) -> dict[str, str]:
    # every grid drawn on the map and its role; the levels between the parties and the deciding grid too
    roles = {hit.code: "notified" for hit in result.notified}
    deciding = result.outcome.deciding
    for hit in result.jurisdiction:
        roles[hit.code] = "jurisdiction"
        if deciding in hit.chain:
            for code in hit.chain[hit.chain.index(deciding) + 1 : -1]:
                roles.setdefault(code, "between")
    if deciding:
        roles[deciding] = "deciding"
    return roles


def map_features(session: Session, result: Resolution) -> dict:
    """A FeatureCollection for the map: act, harm areas, and grids by role (jurisdiction, notified, deciding)."""
    features = [{"type": "Feature", "geometry": mapping(result.act), "properties": {"role": "act"}}]
    features += [
        {"type": "Feature", "geometry": mapping(a.geom), "properties": {"role": a.kind, **a.params}}
        for a in result.areas
    ]
    roles = _involved(result)
    for feature in queries.grid_features(session, result.version_id, roles):
        code = feature["properties"]["code"]
        feature["properties"]["role"] = roles[code]
        feature["properties"]["holder"] = code == result.outcome.holder
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}
