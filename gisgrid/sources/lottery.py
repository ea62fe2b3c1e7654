"""双随机 draw: random sources per class and random inspectors, reproducible from a published seed.

The algorithm (version ``ALGORITHM``), so that anyone can re-run a published draw:

1. ``rng = random.Random(seed)`` with the published seed as a text string (Python 3's
   ``random`` seeds a string through SHA-512, so the same string gives the same sequence).
2. For each class in the order A, B, C: sort that class's candidate sources by id, take
   ``k = ceil(proportion × n)`` of them with ``rng.sample(candidates, k)``.
3. The candidate inspectors are the published inspectors in the draw's pool: with
   ``pool.roles`` only those whose ``role`` is listed, with ``pool.departments`` only those whose
   ``department`` (code) is listed; an empty or missing list does not restrict. (Version 1 had no
   pool: a draw without one re-runs exactly as before.)
4. For each drawn source, in the order drawn: the eligible inspectors are the candidate
   inspectors sorted by id, without those whose grid scope contains a code of the source's
   grid chain (they supervise it every day) and without those who declared a conflict with
   it; take ``min(per_source, len(eligible))`` of them with ``rng.sample(eligible, ...)``.

Inputs and results are plain JSON, stored with the draw: ``rerun(inputs)`` gives the results.
This file needs nothing but Python 3, so anyone can check a published draw without the project:

    curl -s http://HOST/api/v1/lottery/1 > draw.json && python3 lottery.py draw.json
"""

from __future__ import annotations

import math
import random

ALGORITHM = "gisgrid-shuangsuiji-2"
CLASS_ORDER = ("A", "B", "C")


def _eligible(inspectors: list[dict], source: dict, conflicts: set[tuple[int, int]]) -> list[dict]:
    chain = set(source["grid_codes"])
    return [i for i in inspectors if chain.isdisjoint(i["grid_codes"]) and (i["id"], source["id"]) not in conflicts]


def in_pool(inspector: dict, pool: dict | None) -> bool:
    """True when the inspector's role and department are among the pool's (an empty list does not restrict)."""
    pool = pool or {}
    return (not pool.get("roles") or inspector.get("role") in pool["roles"]) and (
        not pool.get("departments") or inspector.get("department") in pool["departments"]
    )


def draw(
    seed: str,
    sources: list[dict],
    inspectors: list[dict],
    proportions: dict[str, float],
    conflicts: list[list[int]] = (),
    per_source: int = 2,
    pool: dict | None = None,
) -> dict:
    """Draw sources (``{id, class, grid_codes}``) and inspectors (``{id, grid_codes, role, department}``)."""
    rng = random.Random(str(seed))
    people = sorted((i for i in inspectors if in_pool(i, pool)), key=lambda i: i["id"])
    pairs = {(int(u), int(s)) for u, s in conflicts}
    picks, shortfalls = [], []
    for cls in CLASS_ORDER:
        candidates = sorted((s for s in sources if s["class"] == cls), key=lambda s: s["id"])
        k = min(len(candidates), math.ceil(float(proportions.get(cls, 0)) * len(candidates)))
        for source in rng.sample(candidates, k):
            eligible = _eligible(people, source, pairs)
            chosen = rng.sample(eligible, min(per_source, len(eligible)))
            picks.append({"source_id": source["id"], "class": cls, "inspector_ids": [i["id"] for i in chosen]})
            if len(chosen) < per_source:
                shortfalls.append(source["id"])
    return {"picks": picks, "shortfall_source_ids": shortfalls}


def rerun(inputs: dict) -> dict:
    """Re-run a stored draw from its stored inputs."""
    return draw(
        inputs["seed"],
        inputs["sources"],
        inputs["inspectors"],
        inputs["proportions"],
        inputs.get("conflicts", []),
        inputs.get("per_source", 2),
        inputs.get("pool"),
    )


def verify(published: dict) -> bool:
    """True when re-running a published draw (the JSON of /api/v1/lottery/<id>) gives its published picks."""
    keys = ("source_id", "class", "inspector_ids")
    again = rerun(published["inputs"])
    shown = [{k: p[k] for k in keys} for p in published["results"]["picks"]]
    return again["picks"] == shown and again["shortfall_source_ids"] == published["results"]["shortfall_source_ids"]


if __name__ == "__main__":
    import json
    import sys

    with open(sys.argv[1], encoding="utf-8") as handle:
        ok = verify(json.load(handle))
    print("re-run matches the published draw" if ok else "MISMATCH: the re-run differs from the published draw")
    sys.exit(0 if ok else 1)
