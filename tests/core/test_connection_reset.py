"""The pool's reset of returned connections: no second ROLLBACK after SQLAlchemy ended the
transaction itself, but a connection returned with a transaction open is still rolled
back (MariaDB's own session counters tell which happened)."""

import pytest
import sqlalchemy as sa

from quizcore.db import make_engine


@pytest.fixture
def one_connection(engine, database_url):
    """An engine of the test database whose pool holds a single connection, so every
    checkout is the same MariaDB session."""
    if not database_url.startswith("mysql"):
        pytest.skip("the reset replaces the pool's default on MariaDB only")
    pooled = make_engine(database_url, pool_size=1, max_overflow=0)
    yield pooled
    pooled.dispose()


def rollbacks(engine) -> int:
    """``Com_rollback`` of the pool's one session, read in a committed transaction."""
    with engine.connect() as connection:
        value = connection.execute(
            sa.text("SHOW SESSION STATUS LIKE 'Com_rollback'")).one()[1]
        connection.commit()
    return int(value)


def test_a_transaction_sqlalchemy_ended_is_not_rolled_back_again(one_connection):
    first = rollbacks(one_connection)
    with sa.orm.Session(one_connection) as session:  # a read-only request's session
        session.execute(sa.text("SELECT 1"))
    after_read = rollbacks(one_connection)
    assert after_read == first + 1  # the session's own ROLLBACK, and no other
    assert rollbacks(one_connection) == after_read  # a commit needs none


def test_a_connection_returned_mid_transaction_is_rolled_back(one_connection):
    raw = one_connection.raw_connection()  # SQLAlchemy does not see this transaction
    cursor = raw.cursor()
    cursor.execute("CREATE TEMPORARY TABLE reset_probe (n INT) ENGINE=InnoDB")
    cursor.execute("INSERT INTO reset_probe VALUES (1)")
    cursor.close()
    raw.close()  # back to the pool with the INSERT uncommitted
    with one_connection.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM reset_probe")).scalar() == 0
