"""``quizctl prune-tokens``: delete expired refresh tokens and old password reset codes.

Every refresh rotates the token and keeps the old row until it expires (reuse detection
needs it), so the table grows with use: run this daily (a cron job or a systemd timer).
"""

from __future__ import annotations

import zope.sqlalchemy

from ..domain.sessions import prune_tokens


def prune(env, args):
    request = env["request"]
    with request.tm:
        session = request.dbsession
        refresh, codes = prune_tokens(session)
        # Bulk DELETEs bypass the ORM: tell the transaction there is something to commit.
        zope.sqlalchemy.mark_changed(session)
    print(f"Deleted {refresh} expired refresh token(s) and {codes} old reset code(s).")
    return 0


def includeme(config):
    config.add_quizctl_command("prune-tokens", prune,
                               help="delete expired refresh tokens and old reset codes")
