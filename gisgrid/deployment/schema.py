"""The profile schema, explicit and small: each reader checks one key and names it when it is wrong."""

from __future__ import annotations

from gisgrid.auth import roles
from gisgrid.deployment.model import Category, Department, Evaluation, LeadingGroup, Level, Profile

ORGANISER_RULES = ("same_level", "top")  # 同级网格责任主体 | 一级网格的责任主体
PERIODS = ("month", "quarter", "half_year", "year", "unset")  # unset: the plan fixes no period
CLASSES = ("A", "B", "C")
DEFAULT_TEMPLATE = "zhanqian"  # the seeds' one 考核制度 with items (站前区 五、第二条)
TOP_KEYS = {
    "key", "place", "seed", "source", "levels", "joint_enforcement", "periods", "departments",
    "duty_matrix", "leading_group", "inspection_months", "draw_proportions", "unit_grids", "evaluation",
    "security",
}  # fmt: skip


class Invalid(Exception):
    """One problem at one key (dotted path, e.g. levels[2].number)."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"{key}: {problem}")
        self.key, self.problem = key, problem


def take(table: dict, key: str, kind: type, where: str = ""):
    """``table[key]`` of ``kind`` or Invalid naming the key (bool is not an int here)."""
    path = f"{where}.{key}" if where else key
    if key not in table:
        raise Invalid(path, "missing")
    value = table[key]
    if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        raise Invalid(path, f"must be {kind.__name__}, got {type(value).__name__}")
    if kind is str and not value.strip() and key not in ("duties",):
        raise Invalid(path, "must not be empty")
    return value


def texts(table: dict, key: str, where: str) -> tuple[str, ...]:
    """A list of non-empty strings."""
    values = take(table, key, list, where)
    for i, v in enumerate(values):
        if not isinstance(v, str) or not v.strip():
            raise Invalid(f"{where}.{key}[{i}]", "must be a non-empty string")
    return tuple(values)


def choice(table: dict, key: str, allowed: tuple, where: str) -> str:
    """A string among ``allowed``."""
    value = take(table, key, str, where)
    if value not in allowed:
        raise Invalid(f"{where}.{key}", f"{value!r} is not one of {', '.join(allowed)}")
    return value


def build(raw: dict, stem: str) -> Profile:
    """A Profile from parsed TOML, or Invalid at the first wrong key."""
    unknown = sorted(set(raw) - TOP_KEYS)
    if unknown:
        raise Invalid(unknown[0], "unknown key")
    key = take(raw, "key", str)
    if key != stem:
        raise Invalid("key", f"{key!r} differs from the file name {stem!r}")
    levels = _levels(take(raw, "levels", list))
    departments = _departments(take(raw, "departments", list), len(levels))
    joint = take(raw, "joint_enforcement", dict)
    periods = take(raw, "periods", dict)
    return Profile(
        key=key,
        place=take(raw, "place", str),
        seed=take(raw, "seed", str),
        source=str(raw.get("source", "")),
        levels=levels,
        organiser=choice(joint, "organiser", ORGANISER_RULES, "joint_enforcement"),
        joint_meeting_period=choice(periods, "joint_meeting", PERIODS, "periods"),
        self_evaluation_period=choice(periods, "self_evaluation", PERIODS, "periods"),
        departments=departments,
        matrix=_matrix(take(raw, "duty_matrix", list), {d.code for d in departments}),
        leading_group=_group(take(raw, "leading_group", dict)),
        inspection_months=_by_class(raw, "inspection_months", int, lambda v: 1 <= v <= 60, "1..60 months"),
        draw_proportions=_by_class(raw, "draw_proportions", float, lambda v: 0 <= v <= 1, "a share 0..1"),
        unit_grid_depths=_unit_depths(raw.get("unit_grids", {}), len(levels)),
        evaluation=_evaluation(raw.get("evaluation", {}), [lv.number for lv in levels]),
        totp_required_roles=_totp_roles(raw.get("security", {})),
    )


def _totp_roles(table) -> tuple[str, ...]:
    """[security] totp_required_roles: roles that must log in with a second factor (absent: none)."""
    if not isinstance(table, dict):
        raise Invalid("security", "must be a table")
    if set(table) - {"totp_required_roles"}:
        raise Invalid(f"security.{sorted(set(table) - {'totp_required_roles'})[0]}", "unknown key")
    if "totp_required_roles" not in table:
        return ()
    wanted = texts(table, "totp_required_roles", "security")
    for i, role in enumerate(wanted):
        if role not in roles.ALL:
            raise Invalid(f"security.totp_required_roles[{i}]", f"unknown role {role!r}; one of {', '.join(roles.ALL)}")
    return tuple(sorted(set(wanted)))


def _unit_depths(table, deepest: int) -> tuple[int, ...]:
    """[unit_grids] designated_by: the depths whose grids may designate unit grids (absent: any)."""
    if not isinstance(table, dict):
        raise Invalid("unit_grids", "must be a table")
    if set(table) - {"designated_by"}:
        raise Invalid(f"unit_grids.{sorted(set(table) - {'designated_by'})[0]}", "unknown key")
    if "designated_by" not in table:
        return ()
    depths = take(table, "designated_by", list, "unit_grids")
    for i, depth in enumerate(depths):
        if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= deepest:
            raise Invalid(f"unit_grids.designated_by[{i}]", f"must be a level depth 1..{deepest}, got {depth!r}")
    return tuple(sorted(set(depths)))


def _levels(rows: list) -> tuple[Level, ...]:
    # depths are 1..n in order; the plan's numbers rise by one from wherever the deployment starts
    if not rows:
        raise Invalid("levels", "must list at least one level")
    out = []
    for i, row in enumerate(rows):
        where = f"levels[{i}]"
        if not isinstance(row, dict):
            raise Invalid(where, "must be a table")
        depth, number = take(row, "depth", int, where), take(row, "number", int, where)
        if depth != i + 1:
            raise Invalid(f"{where}.depth", f"unknown level {depth}: depths run 1..n in order (expected {i + 1})")
        if number < 1 or (out and number != out[-1].number + 1):
            raise Invalid(f"{where}.number", f"{number} does not follow level number {out[-1].number if out else 0}")
        out.append(Level(depth, number, take(row, "name", str, where), take(row, "entity", str, where)))
    return tuple(out)


def _departments(rows: list, depth_count: int) -> tuple[Department, ...]:
    out, seen = [], set()
    for i, row in enumerate(rows):
        where = f"departments[{i}]"
        if not isinstance(row, dict):
            raise Invalid(where, "must be a table")
        code = take(row, "code", str, where)
        if code in seen:
            raise Invalid(f"{where}.code", f"{code!r} is listed twice")
        seen.add(code)
        depth = row.get("depth", 1)
        if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= depth_count:
            raise Invalid(f"{where}.depth", f"unknown level {depth!r} (levels 1..{depth_count})")
        duties = row.get("duties", "")
        if not isinstance(duties, str):
            raise Invalid(f"{where}.duties", "must be str")
        out.append(Department(code, take(row, "name", str, where), depth, duties.strip()))
    return tuple(out)


def _matrix(rows: list, known: set[str]) -> tuple[Category, ...]:
    out = []
    for i, row in enumerate(rows):
        where = f"duty_matrix[{i}]"
        if not isinstance(row, dict):
            raise Invalid(where, "must be a table")
        depts = texts(row, "departments", where)
        missing = [d for d in depts if d not in known]
        if missing or not depts:
            raise Invalid(f"{where}.departments", f"unknown department {', '.join(missing) or '(none)'}")
        days = take(row, "deadline_days", int, where)
        if days <= 0:
            raise Invalid(f"{where}.deadline_days", "must be a positive number of working days")
        out.append(Category(take(row, "code", str, where), take(row, "name", str, where), depts, days))
    return tuple(out)


def _group(table: dict) -> LeadingGroup:
    where = "leading_group"
    return LeadingGroup(
        name=take(table, "name", str, where),
        leader=take(table, "leader", str, where),
        deputies=texts(table, "deputies", where),
        members=texts(table, "members", where),
        office=take(table, "office", str, where),
    )


def _evaluation(table, numbers: list[int]) -> Evaluation:
    # optional: which 考评 template (a file of gisgrid/evaluation/templates) and which levels' leaders
    # get the 监督员绩效考核 results (西城 step 8: "反馈一、二级网格责任人"); default the top two levels
    if not isinstance(table, dict):
        raise Invalid("evaluation", "must be a table")
    unknown = sorted(set(table) - {"template", "supervisor_results_levels"})
    if unknown:
        raise Invalid(f"evaluation.{unknown[0]}", "unknown key")
    template = take(table, "template", str, "evaluation") if "template" in table else DEFAULT_TEMPLATE
    if not template.replace("_", "").isalnum():
        raise Invalid("evaluation.template", "must be a template name (letters, digits, _)")
    levels = table.get("supervisor_results_levels", numbers[:2])
    if not isinstance(levels, list) or not all(isinstance(n, int) and n in numbers for n in levels):
        raise Invalid("evaluation.supervisor_results_levels", f"must list level numbers among {numbers}")
    return Evaluation(template=template, supervisor_results_levels=tuple(levels))


def _by_class(raw: dict, key: str, kind: type, ok, meaning: str) -> dict:
    table = take(raw, key, dict)
    out = {}
    for cls in CLASSES:
        value = take(table, cls, kind, key)
        if not ok(value):
            raise Invalid(f"{key}.{cls}", f"{value} is not {meaning}")
        out[cls] = value
    extra = sorted(set(table) - set(CLASSES))
    if extra:
        raise Invalid(f"{key}.{extra[0]}", "unknown class (A, B or C)")
    return out
