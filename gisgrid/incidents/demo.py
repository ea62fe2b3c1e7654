"""Demo duty matrix and one handler account per department (sample people; password gisgrid-demo)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import roles, service
from gisgrid.auth.demo import DEMO_PASSWORD
from gisgrid.auth.models import User
from gisgrid.incidents import matrix


def load_demo(session: Session) -> tuple[int, list[str]]:
    """Create departments, the demo matrix and handler_<dept> accounts that are missing."""
    count = matrix.load_demo(session)
    created = []
    for code, name in matrix.DEMO_DEPARTMENTS:
        username = f"handler_{code}"
        if session.scalar(select(User.id).where(User.username == username)):
            continue
        service.create_user(session, username, DEMO_PASSWORD, roles.HANDLER, display_name=f"{name}承办人（示例）",
                            department_code=code)
        created.append(username)
    return count, created
