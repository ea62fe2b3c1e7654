"""The roles of the platform and what each may broadly do (domain services check details)."""

from __future__ import annotations

PUBLIC = "public"  # a registered citizen (anonymous visitors need no account)
GRID_STAFF = "grid_staff"  # 网格员 / 监督员: reports and handles in their own grids
DISPATCHER = "dispatcher"  # 调度员 / 热线: registers and dispatches cases
HANDLER = "handler"  # 职能部门承办人: handles cases of their department
GRID_LEADER = "grid_leader"  # 网格长 / 第一责任人: supervises their grids, evaluates
PLANNER = "planner"  # 网格规划员: edits and publishes boundaries
ADMIN = "admin"  # 系统管理员: accounts, settings and every business page, everywhere; never the audit trail
SECADMIN = "secadmin"  # 安全管理员: assigns roles, unlocks locked accounts; never business data or the audit trail
AUDITOR = "auditor"  # 审计管理员: reads and exports the audit trail, nothing else

LABELS = {
    PUBLIC: "公众",
    GRID_STAFF: "网格员",
    DISPATCHER: "调度员",
    HANDLER: "部门承办人",
    GRID_LEADER: "网格长",
    PLANNER: "网格规划员",
    ADMIN: "系统管理员",
    SECADMIN: "安全管理员",
    AUDITOR: "审计管理员",
}
ALL = tuple(LABELS)
# 三员分立 (separation of duties): no account ever holds two of these (auth.service, trigger gisgrid_duty)
DUTIES = (ADMIN, SECADMIN, AUDITOR)
# every role that works with business data: not the citizen, not the security or audit administrator
STAFF = tuple(role for role in ALL if role not in (PUBLIC, SECADMIN, AUDITOR))
