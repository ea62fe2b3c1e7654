"""What each role may do, defined once: routes and services check it, templates ask ``can(user, ...)``.

A capability is a named role rule. Scope rules (which grids, which department) stay in the domain
services; this registry answers only "may this kind of user do this kind of thing at all", so a page
shows exactly the controls whose actions the server would accept from that role.
"""

from __future__ import annotations

from functools import wraps

from flask import current_app, has_app_context
from flask_login import current_user

from gisgrid.auth import roles
from gisgrid.errors import Forbidden, Unauthorized

_R = roles
# capability -> the roles that have it; the admin has every capability but those in _NOT_ADMIN
_RULES: dict[str, tuple[str, ...]] = {
    "staff_pages": _R.STAFF,  # case list of one's scope, sources, patrols (not the citizen)
    "report_hotline": (_R.DISPATCHER,),  # register a hotline call as a case
    "report_patrol": (_R.GRID_STAFF, _R.GRID_LEADER),  # report a case found on patrol
    "view_kpi": (_R.DISPATCHER, _R.GRID_LEADER),  # KPI tables, choropleth and CSV
    "escalate_cases": (_R.DISPATCHER, _R.GRID_LEADER),  # run the overdue escalation (督办) now
    "transfer_case": (_R.HANDLER, _R.DISPATCHER),  # send a case to another unit (移送)
    "edit_duty_matrix": (),  # the categories → departments matrix
    "view_jurisdiction": tuple(r for r in _R.STAFF if r != _R.PLANNER),  # cross-boundary events
    "edit_sources": (_R.DISPATCHER, _R.GRID_LEADER),  # import and edit pollution sources
    "set_source_class": (_R.DISPATCHER, _R.GRID_LEADER),  # A/B/C (setting SOURCE_CLASS_ROLES; + departments)
    "register_sources": (_R.GRID_STAFF, _R.GRID_LEADER, _R.HANDLER, _R.DISPATCHER),  # 登记污染源 one by one
    "inspect_sources": (_R.GRID_STAFF, _R.GRID_LEADER, _R.HANDLER, _R.DISPATCHER),  # record inspections
    "set_inspection_frequency": (),
    "run_lottery": (),  # the quarterly 双随机 draw
    "upload_tracks": (_R.GRID_STAFF, _R.GRID_LEADER),  # patrol GPS tracks
    "edit_grids": (_R.PLANNER,),  # boundary drafts, publication, filing
    # 三员分立: the audit administrator alone reads (and exports) the audit trail; the security administrator
    # alone changes roles; the system administrator alone creates and (de)activates accounts
    "read_audit": (_R.AUDITOR,),
    "assign_roles": (_R.SECADMIN,),
    "manage_accounts": (),
    "security.lockouts": (_R.SECADMIN,),  # 安全管理员: the locked accounts page and its unlock button
    # 督查督办: a leader or the 领导小组办公室 (the supervision centre's dispatcher) opens 督办, accepts items
    "open_supervision": (_R.GRID_LEADER, _R.DISPATCHER),
    "run_checks": (_R.GRID_LEADER, _R.DISPATCHER),  # 督查: spot checks of lower grids, their 通报
    "run_meetings": (_R.GRID_LEADER, _R.DISPATCHER),  # 联席会议: record meetings and their decisions
    "run_campaigns": (_R.GRID_LEADER, _R.DISPATCHER),  # 专项行动 / 联合执法: launch a campaign and its tasks
    "evaluate_grids": (_R.DISPATCHER, _R.GRID_LEADER),  # 考评: fill one's grid's form, review lower grids' forms
    "open_evaluation": (_R.DISPATCHER,),  # open / finish a round (the top grid's 领导小组办公室; scope in the service)
    "view_supervisor_performance": (_R.DISPATCHER, _R.GRID_LEADER),  # 监督员绩效考核 (levels from the profile)
    "manage_agreements": (_R.DISPATCHER, _R.GRID_LEADER),  # 责任状: record one issued by one's grid
    "file_reports": (_R.DISPATCHER, _R.GRID_LEADER),  # 信息报告: write one's grid's report, see the lower grids'
    # reporters' names and contacts: export with a reason (the service admits the case's handler and
    # dispatcher only, admins neither: gisgrid/privacy/service.py)
    "export_personal_data": (_R.DISPATCHER, _R.HANDLER),
    # 信息公开 (migration 0016_disclose): a source into the public register; a case's public reply; hazards
    "disclose_sources": (_R.DISPATCHER, _R.GRID_LEADER),
    "reply_public": (_R.HANDLER, _R.DISPATCHER, _R.GRID_LEADER),
    "record_hazards": (_R.GRID_STAFF, _R.GRID_LEADER, _R.HANDLER, _R.DISPATCHER),  # 环境安全隐患
}
# the duties the system administrator does not hold (separation of duties): only the roles listed have them
_NOT_ADMIN = frozenset({"read_audit", "assign_roles", "security.lockouts"})
CAPABILITIES: dict[str, frozenset[str]] = {
    name: frozenset(allowed) | (frozenset() if name in _NOT_ADMIN else {roles.ADMIN})
    for name, allowed in _RULES.items()
}
# capabilities whose roles a deployment chooses: capability -> the config key naming those roles
_CONFIGURED_ROLES = {"set_source_class": "SOURCE_CLASS_ROLES"}
# capabilities a handler has as a member of certain departments: capability -> (config key of their
# codes, the codes outside an app). The seeds: "环境保护主管部门" / 生态环境局 sets the A/B/C class.
_DEPARTMENT_RULES = {"set_source_class": ("SOURCE_CLASS_DEPARTMENTS", ("sthj",))}


def _setting(key: str) -> frozenset[str] | None:
    """A list setting of the running app (None outside an app: the registry's defaults apply)."""
    if not has_app_context() or key not in current_app.config:
        return None
    return frozenset(current_app.config[key])


def roles_with(capability: str) -> frozenset[str]:
    """The roles that have ``capability`` (KeyError for an unknown name: a typo must fail loudly)."""
    allowed = CAPABILITIES[capability]
    configured = _setting(_CONFIGURED_ROLES[capability]) if capability in _CONFIGURED_ROLES else None
    return allowed if configured is None else configured | ({roles.ADMIN} & CAPABILITIES[capability])


def in_department(user, capability: str) -> bool:
    """True when ``user`` is a handler of a department that ``capability`` names (see _DEPARTMENT_RULES)."""
    rule = _DEPARTMENT_RULES.get(capability)
    if rule is None or getattr(user, "role", None) != roles.HANDLER:
        return False
    departments = _setting(rule[0])
    return getattr(user, "department_code", None) in (rule[1] if departments is None else departments)


def can(user, capability: str) -> bool:
    """True when ``user`` is logged in and their role has ``capability``."""
    allowed = roles_with(capability)
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.role in allowed or in_department(user, capability)


def require(user, capability: str) -> None:
    """Raise Unauthorized (nobody logged in) or Forbidden unless ``user`` has ``capability``."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise Unauthorized()
    if not can(user, capability):
        raise Forbidden(f"当前角色（{user.role_label}）无权执行此操作 (role not allowed)")


def capability_required(capability: str):
    """Decorator: the view needs a logged-in user with ``capability`` (401/403 otherwise)."""
    roles_with(capability)  # unknown names fail at import time, not at the first request

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            require(current_user, capability)
            return view(*args, **kwargs)

        return guarded

    return decorate
