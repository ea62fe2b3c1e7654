"""Memory of a gunicorn master and its workers, from /proc/<pid>/smaps_rollup (Linux).

PSS (proportional set size) charges each shared page to the processes sharing it in equal parts, so the
PSS of master + workers adds up to what the server really holds; RSS counts a shared page in every
process. Pages a worker wrote to after the fork (copy-on-write) show as its ``Private_Dirty``.
"""

from __future__ import annotations

from pathlib import Path

FIELDS = ("Rss", "Pss", "Private_Clean", "Private_Dirty", "Shared_Clean", "Shared_Dirty")


def smaps_rollup(pid: int) -> dict[str, float]:
    """The FIELDS of one process in MB (``Shared`` = Shared_Clean + Shared_Dirty)."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in FIELDS:
            values[name] = int(rest.split()[0]) / 1024  # kB → MB
    values["Shared"] = values["Shared_Clean"] + values["Shared_Dirty"]
    return values


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (gunicorn's workers), from /proc/<n>/stat."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended while we looked
            continue
        # the command name (2nd field) is in parentheses and may hold spaces: fields after the last ")"
        if int(text.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def server(master_pid: int) -> dict:
    """The master's and each worker's memory, and the total PSS of all of them (MB)."""
    master = smaps_rollup(master_pid)
    workers = [smaps_rollup(pid) for pid in children(master_pid)]
    return {
        "master": master,
        "workers": workers,
        "total_pss_mb": master["Pss"] + sum(w["Pss"] for w in workers),
    }


def rows(label: str, memory: dict) -> list[tuple]:
    """Table rows (measurement, figure, '', '', detail) of one ``server`` reading."""
    out = [(f"{label}: total PSS, master + {len(memory['workers'])} workers", f"{memory['total_pss_mb']:,.0f} MB")]
    for name, m in [("master", memory["master"])] + [(f"worker {i + 1}", w) for i, w in enumerate(memory["workers"])]:
        detail = f"RSS {m['Rss']:,.0f}, private dirty {m['Private_Dirty']:,.0f}, shared {m['Shared']:,.0f} MB"
        out.append((f"{label}: {name} PSS", f"{m['Pss']:,.0f} MB", "", "", detail))
    return [(*row, "", "", "") if len(row) == 2 else row for row in out]
