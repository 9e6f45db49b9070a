"""quizctl prune-tokens, run as an administrator would (a real subprocess)."""

import datetime as dt

import sqlalchemy as sa

from tests.core.test_quizctl import quizctl, sqlite_ini  # noqa: F401 - the fixture


def test_prune_tokens_deletes_only_expired_rows(sqlite_ini, tmp_path):  # noqa: F811
    quizctl("-c", sqlite_ini, "migrate")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'school.sqlite'}")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO users (id, email, password_hash, role, name, is_active, "
            "is_email_verified, created_at, updated_at, token_version) VALUES "
            "('u1', 'a@b.org', '!unusable', 'teacher', 'A', 1, 0, :now, :now, 0)"), {"now": now})
        for token, expires in (("live", now + dt.timedelta(days=1)),
                               ("dead", now - dt.timedelta(days=1))):
            connection.execute(sa.text(
                "INSERT INTO refresh_tokens (id, user_id, token, expires_at, created_at, "
                "is_revoked, family_id) VALUES (:id, 'u1', :id, :expires, :now, 0, 'f')"),
                {"id": token, "expires": expires, "now": now})
    result = quizctl("-c", sqlite_ini, "prune-tokens")
    assert "Deleted 1 expired refresh token(s)" in result.stdout
    with engine.connect() as connection:
        left = {row[0] for row in connection.execute(sa.text("SELECT id FROM refresh_tokens"))}
    assert left == {"live"}
