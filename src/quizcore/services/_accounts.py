"""What every account answer shares (students, teachers, users)."""

from __future__ import annotations

import datetime as dt

from ..models import User
from ..rest import iso


def account_fields(user: User, created_at: dt.datetime | None) -> dict:
    """The account part of a person: id, name, e-mail, role, whether it is active, the last
    login and when the profile was created."""
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": str(user.role),
        "is_active": user.is_active,
        "last_login": iso(user.last_login),
        "created_at": iso(created_at),
    }
