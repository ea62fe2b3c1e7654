"""Demo accounts for the 西城区 demo deployment (sample people; change or remove in production)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import roles, service
from gisgrid.auth.models import User

DEMO_PASSWORD = "gisgrid-demo-1"

# (username, display name, role, grid codes, department code)
DEMO_USERS = (
    ("admin", "系统管理员（示例）", roles.ADMIN, (), None),
    # 三员分立: one account per duty (the system administrator above, the security and audit administrators)
    ("secadmin", "安全管理员（示例）", roles.SECADMIN, (), None),
    ("auditor", "审计管理员（示例）", roles.AUDITOR, (), None),
    ("planner", "区网格规划员（示例）", roles.PLANNER, ("110102000000",), None),
    ("dispatcher", "区网格化监管中心调度员（示例）", roles.DISPATCHER, ("110102000000",), None),
    ("leader_xicheng", "西城区网格长（示例）", roles.GRID_LEADER, ("110102000000",), None),
    ("leader_xichang", "西长安街街道网格长（示例）", roles.GRID_LEADER, ("110102001000",), None),
    ("staff_fuyou", "府右街南社区网格员（示例）", roles.GRID_STAFF, ("110102001004",), None),
    ("staff_xinjiekou", "新街口街道网格员（示例）", roles.GRID_STAFF, ("110102003000",), None),
)


def load_demo_users(session: Session) -> list[str]:
    """Create the demo accounts that do not exist yet; returns the usernames created."""
    return create_missing_users(session, DEMO_USERS)


def create_missing_users(session: Session, users) -> list[str]:
    """Create each (username, display name, role, grid codes, department code) whose username is
    not taken yet, with the demo password; returns the usernames created."""
    created = []
    for username, name, role, grids, dept in users:
        if session.scalar(select(User.id).where(User.username == username)):
            continue
        service.create_user(
            session, username, DEMO_PASSWORD, role, display_name=name, grid_codes=grids, department_code=dept
        )
        created.append(username)
    return created
