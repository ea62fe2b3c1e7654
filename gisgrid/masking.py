"""The one masking of reporters' personal data: 138****5678, 张*, a***@example.com.

Every output that shows a reporter's name or contact to staff who are not the case handler or the
dispatcher goes through these functions; nothing else formats a masked value.
"""

from __future__ import annotations

import re

_PHONE_CHARS = re.compile(r"[\d\s+\-()（）]+")
_EMAIL = re.compile(r"([^@\s]+)@([^@\s]+)")


def mask_name(name: str | None) -> str | None:
    """张三 → 张*, 欧阳娜娜 → 欧***; the first character stays, each other one becomes '*'."""
    if not name or not name.strip():
        return name
    name = name.strip()
    return name[0] + "*" * min(len(name) - 1, 3) if len(name) > 1 else "*"


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; shorter numbers keep only their first and last two digits."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("86"):  # +86 138…: the country code is not the number
        digits = digits[2:]
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 6:
        return f"{digits[:2]}****{digits[-2:]}"
    return "****"


def mask_email(email: str) -> str:
    """alice@example.com → a***@example.com (the domain says where to write, not who)."""
    local, domain = _EMAIL.fullmatch(email.strip()).groups()
    return f"{local[0]}***@{domain}"


def mask_contact(contact: str | None) -> str | None:
    """A phone or an e-mail masked as such; any other text keeps only its first character."""
    if not contact or not contact.strip():
        return contact
    text = contact.strip()
    if _EMAIL.fullmatch(text):
        return mask_email(text)
    if _PHONE_CHARS.fullmatch(text) and len(re.sub(r"\D", "", text)) >= 3:
        return mask_phone(text)
    return text[0] + "***"


def masked_reporter(incident, may_reveal: bool) -> dict:
    """A case's reporter as staff see it: masked values, and whether this user may ask for the real ones."""
    given = bool(incident.reporter_name or incident.reporter_contact)
    return {
        "name": mask_name(incident.reporter_name),
        "contact": mask_contact(incident.reporter_contact),
        "may_reveal": given and may_reveal,
    }
