"""A validation problem and the readable report of a list of them (``gisgrid.grids.validation`` finds them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from itertools import groupby

ERROR, WARNING = "error", "warning"
KINDS = (
    "empty_geometry",
    "wrong_geometry_type",
    "invalid_geometry",
    "missing_value",
    "bad_level",
    "bad_staff",
    "bad_value",
    "bad_kind",
    "duplicate_code",
    "unknown_parent",
    "parent_level",
    "unit_designator",
    "cycle",
    "outside_parent",
    "overlap",
    "gap",
)


@dataclass(frozen=True)
class Problem:
    """One problem of one feature (or of the dataset when ``source_index`` is None)."""

    severity: str
    kind: str
    message: str
    code: str | None
    source_index: int | None
    area_m2: float | None = None
    location: tuple[float, float] | None = None

    def to_dict(self) -> dict:
        """JSON-ready form (location as [lon, lat])."""
        data = asdict(self)
        data["location"] = list(self.location) if self.location is not None else None
        return data


def format_report(problems) -> str:
    """A readable multi-line report: a summary line, then the problems grouped by feature."""
    problems = list(problems)
    if not problems:
        return "未发现问题 (no problems found)"
    errors = sum(p.severity == ERROR for p in problems)
    lines = [
        f"共 {errors} 个错误、{len(problems) - errors} 个警告 "
        f"({errors} errors, {len(problems) - errors} warnings)；# 后为要素在文件中的序号（从 0 开始）"
    ]

    def feature(p: Problem):
        return (p.source_index is None, p.source_index or 0, p.code or "")

    for _, group in groupby(sorted(problems, key=feature), key=feature):
        group = list(group)
        lines += ["", _heading(group[0])]
        lines += [f"  {_line(p)}" for p in group]
    return "\n".join(lines)


def _heading(problem: Problem) -> str:
    code = f"网格 {problem.code}" if problem.code else "无编码"
    if problem.source_index is None:
        return f"数据集（{code}）"
    return f"要素 #{problem.source_index}（{code}）"


def _line(problem: Problem) -> str:
    label = "错误" if problem.severity == ERROR else "警告"
    where = f"，位置 {problem.location[0]:.7f}, {problem.location[1]:.7f}" if problem.location else ""
    return f"[{label}] {problem.kind}: {problem.message}{where}"
