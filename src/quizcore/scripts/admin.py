"""``quizctl create-admin``: create (or re-activate) an administrator account."""

from __future__ import annotations

import getpass
import sys

import sqlalchemy as sa

from ..domain.passwords import hash_password, password_problem
from ..models import Role, User


def create_admin(env, args):
    settings = env["registry"].settings
    password = args.password or getpass.getpass("Password for the new admin: ")
    problem = password_problem(password, settings["quizcore.password_min_length"])
    if problem:
        print(problem, file=sys.stderr)
        return 2
    email = args.email.strip().lower()
    request = env["request"]
    with request.tm:
        dbsession = request.dbsession
        user = dbsession.scalars(sa.select(User).where(User.email == email)).one_or_none()
        if user is not None and user.role != Role.ADMIN:
            print(f"{email} already belongs to a {user.role} account.", file=sys.stderr)
            return 1
        if user is None:
            user = User(email=email, role=Role.ADMIN, name=args.name)
            dbsession.add(user)
            verb = "Created"
        else:
            user.name = args.name
            user.is_active = True
            user.token_version += 1
            verb = "Updated"
        user.password_hash = hash_password(password, settings["quizcore.bcrypt_rounds"])
    print(f"{verb} admin {email}.")
    return 0


def _arguments(parser):
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--password", help="prompted for when omitted")


def includeme(config):
    config.add_quizctl_command("create-admin", create_admin,
                               help="create or update an administrator", arguments=_arguments)
