"""The profile's values: frozen dataclasses built by ``schema.build`` from a validated TOML file."""

from __future__ import annotations

from dataclasses import dataclass

CN_DIGITS = "零一二三四五六七八九十"


@dataclass(frozen=True)
class Level:
    """One grid level: its depth here (stored ``level``), its number in the plan, its name and 责任主体."""

    depth: int
    number: int
    name: str
    entity: str

    @property
    def title(self) -> str:
        """The plan's name of the level, e.g. 二级网格."""
        return f"{cn_number(self.number)}级网格"

    @property
    def label(self) -> str:
        """Number and name together, e.g. 二级网格 · 市."""
        return f"{self.title} · {self.name}"


@dataclass(frozen=True)
class Department:
    """A department named by the plan, the depth of the government it belongs to and its duty text."""

    code: str
    name: str
    depth: int
    duties: str


@dataclass(frozen=True)
class Category:
    """One row of the duty matrix: report category → departments, deadline in working days."""

    code: str
    name: str
    departments: tuple[str, ...]
    deadline_days: int


@dataclass(frozen=True)
class LeadingGroup:
    """The 领导小组 (people are role titles marked 示例, never real officials' names)."""

    name: str
    leader: str
    deputies: tuple[str, ...]
    members: tuple[str, ...]
    office: str


@dataclass(frozen=True)
class Evaluation:
    """考评 settings: the template file's name and the level numbers whose leaders get 监督员 results."""

    template: str = "zhanqian"
    supervisor_results_levels: tuple[int, ...] = ()


@dataclass(frozen=True)
class Profile:
    """The active deployment's rules as values; services get it passed in."""

    key: str
    place: str
    seed: str
    levels: tuple[Level, ...]
    organiser: str
    joint_meeting_period: str
    self_evaluation_period: str
    departments: tuple[Department, ...]
    matrix: tuple[Category, ...]
    leading_group: LeadingGroup
    inspection_months: dict
    draw_proportions: dict
    source: str = ""
    # depths whose grids may designate 重点监管单元网格 (盘锦: only the 一级网格主体); empty: the plan sets no rule
    unit_grid_depths: tuple[int, ...] = ()
    evaluation: Evaluation = Evaluation()
    # roles that must log in with TOTP (等保 身份鉴别: e.g. administrators and leaders), besides the setting
    totp_required_roles: tuple[str, ...] = ()

    def level(self, depth: int) -> Level:
        """The level at ``depth`` (1 = top here); a depth the profile lacks gets a plain fallback."""
        if 1 <= depth <= len(self.levels):
            return self.levels[depth - 1]
        # a deeper grid than the plan names (an imported file may have more levels): keep counting
        last = self.levels[-1].number if self.levels else 0
        return Level(depth, last + depth - len(self.levels), f"第{depth}层", "")

    def level_label(self, depth: int) -> str:
        """E.g. 二级网格 · 市 for 虎林's depth 1."""
        return self.level(depth).label

    def department_depth(self, code: str) -> int:
        """The depth of the government a department belongs to (unknown departments: the top)."""
        return next((d.depth for d in self.departments if d.code == code), 1)

    def levels_json(self) -> list[dict]:
        """The levels for pages and scripts (the JSON block in base.html)."""
        return [
            {"depth": lv.depth, "number": lv.number, "name": lv.name, "title": lv.title, "label": lv.label}
            for lv in self.levels
        ]


def cn_number(n: int) -> str:
    """1..10 as Chinese numerals (一..十); other numbers as digits."""
    return CN_DIGITS[n] if 0 <= n <= 10 else str(n)
