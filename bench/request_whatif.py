"""What would a change save? Candidate optimisations measured in process, without editing src.

The set-up is ``bench/request_profile.py``'s (the storm's private MariaDB and Redis, the
seeded school, every student in an attempt, production.ini built in this process and driven
with WebTest). Each *variant* applies one candidate change to the running application by
patching it from outside (a context manager that undoes itself), and each endpoint is
measured in alternating blocks of ``--requests`` requests -- baseline, variant, variant,
baseline... ``--rounds`` pairs -- so drift in the machine's load falls on both. The figure
is the CPU time per request (this thread's CPU clock around the WSGI call) of the fastest
block of each kind -- the least disturbed by other work sharing the core -- and the saving
between them (the medians are in the JSON too).

``--micro`` first times single operations in isolation on the same servers (the fastest of
seven runs of a few hundred repetitions each): a JWT decode, a pool checkout with and
without pre-ping, the reset ROLLBACK, zope.sqlalchemy's per-session ``register()``, the
identity as ``Session.get(User)`` against a Core row, the rate-limit hit, a new MySQL
connection, and the time the garbage collector runs per request.

The patches only approximate the change a real commit would make (for instance the
identity variant hands the views a plain object instead of the ORM ``User``, which is only
valid for views that read ``id``, ``name`` and ``role``): they estimate the saving, they
are not the implementation. Nothing here runs in production code.

    .venv/bin/python bench/request_whatif.py --micro --requests 40 --rounds 10 \\
        --json docs/profiles/inprocess/whatif.json
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import request_cost  # noqa: E402 - bench/ helper modules
import request_profile  # noqa: E402
import storm_services as services  # noqa: E402

ALL = ("health", "me", "status", "answer", "start", "violation")
AUTHENTICATED = ALL[1:]
#: Views that read only id, name and role of request.user.
PLAIN_USER_OK = ("status", "answer", "start", "violation")


@contextlib.contextmanager
def patched(owner, name: str, value):
    original = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


# -- the variants ----------------------------------------------------------------------------


@contextlib.contextmanager
def jwt_once(app):
    """The rate-limit tween keeps the claims it decoded; the security policy reuses them."""
    import jwt

    from quizcore import ratelimit

    key = "quizcore.bench.claims"
    jwt_policy = app.registry["quizcore.security_policy"].jwt
    original_get_claims = jwt_policy.get_claims

    def subject(policy, request):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or token.count(".") != 2:
            return None
        p = policy.jwt
        try:
            claims = jwt.decode(token, p.public_key or p.private_key,
                                algorithms=[p.algorithm], leeway=p.leeway)
        except jwt.InvalidTokenError:
            return None
        request.environ[key] = claims
        if claims.get("typ") != "access":
            return None
        return str(claims["sub"]) if claims.get("sub") else None

    def get_claims(request):
        cached = request.environ.get(key)
        return cached if cached is not None else original_get_claims(request)

    with patched(ratelimit, "_access_token_subject", subject), \
            patched(jwt_policy, "get_claims", get_claims):
        yield


@contextlib.contextmanager
def no_pre_ping(app):
    """``pool_pre_ping=False`` (a dropped connection then fails one request, or is retried)."""
    pool = app.registry["dbengine"].pool
    with patched(pool, "_pre_ping", False):
        yield


@contextlib.contextmanager
def no_reset_rollback(app):
    """``pool_reset_on_return=None``: the Session has already rolled back or committed."""
    from sqlalchemy.pool.base import ResetStyle

    pool = app.registry["dbengine"].pool
    with patched(pool, "_reset_on_return", ResetStyle.reset_none):
        yield


@contextlib.contextmanager
def zope_listeners_once(app):
    """zope.sqlalchemy's listeners registered once on the session factory, each event
    finding the request's transaction manager in ``session.info``, instead of seven
    ``event.listen`` calls on every request's new Session."""
    from zope.sqlalchemy import datamanager

    from quizcore import db

    class PerRequestManager(datamanager.ZopeTransactionEvents):
        def after_begin(self, session, transaction, connection):
            datamanager.join_transaction(session, self.initial_state, session.info["tm"])

        def after_attach(self, session, instance):
            datamanager.join_transaction(session, self.initial_state, session.info["tm"])

        def after_flush(self, session, flush_context):
            datamanager.mark_changed(session, session.info["tm"])

        def after_bulk_update(self, update_context):
            datamanager.mark_changed(update_context.session, update_context.session.info["tm"])

        def after_bulk_delete(self, delete_context):
            datamanager.mark_changed(delete_context.session, delete_context.session.info["tm"])

        def before_commit(self, session):
            pass

        def do_orm_execute(self, execute_state):
            if execute_state.is_orm_statement and (execute_state.is_update or
                                                   execute_state.is_insert or
                                                   execute_state.is_delete):
                datamanager.mark_changed(execute_state.session,
                                         execute_state.session.info["tm"])

    factory = app.registry["dbsession_factory"]
    # A subclass made for this variant: its class-level listeners go away with it.
    from sqlalchemy.orm import Session, sessionmaker

    class VariantSession(Session):
        pass

    variant_factory = sessionmaker(class_=VariantSession, **factory.kw)
    ext = PerRequestManager()
    from sqlalchemy import event
    for name in ("after_begin", "after_attach", "after_flush", "after_bulk_update",
                 "after_bulk_delete", "do_orm_execute"):
        event.listen(VariantSession, name, getattr(ext, name))

    def get_tm_session(session_factory, transaction_manager, request=None):
        return variant_factory(info={"request": request, "tm": transaction_manager})

    with patched(db, "get_tm_session", get_tm_session):
        yield


@contextlib.contextmanager
def ratelimit_off(app):
    """No per-user counting at all (the upper bound of batching or pipelining it); the
    tween's JWT decode still runs."""
    limits = app.registry["quizcore.ratelimits"]
    with patched(limits, "hit", lambda *a, **k: None):
        yield


@contextlib.contextmanager
def gc_freeze(app):
    """``gc.freeze()`` after start-up: the collector stops re-scanning the application's
    long-lived objects (configuration, mappers, compiled-statement caches)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def identity_core(app):
    """The identity read with one Core SELECT of five columns into a plain object, no ORM
    identity load (views that need the User's relationships would reload it)."""
    import sqlalchemy as sa

    from quizcore.models import User
    from quizcore.security import ACCESS_TOKEN_TYPE, SecurityPolicy

    users = User.__table__
    row_query = sa.select(users.c.id, users.c.name, users.c.role, users.c.is_active,
                          users.c.token_version).where(users.c.id == sa.bindparam("id"))

    def load(self, request):
        claims = self.jwt.get_claims(request)
        if not claims or claims.get("typ") != ACCESS_TOKEN_TYPE or not claims.get("sub") \
                or "exp" not in claims:
            return None
        row = request.dbsession.execute(row_query, {"id": str(claims["sub"])}).one_or_none()
        if row is None or not row.is_active or row.token_version != claims.get("tv"):
            return None
        return SimpleNamespace(id=row.id, name=row.name, role=row.role,
                               is_active=row.is_active, token_version=row.token_version)

    with patched(SecurityPolicy, "_load_identity", load):
        yield


@contextlib.contextmanager
def me_one_query(app):
    """The identity loaded with its student profile and class in the same SELECT (joined
    eager loads), so ``/auth/me`` needs no lazy loads."""
    from sqlalchemy.orm import joinedload

    from quizcore.models import Student, User
    from quizcore.security import ACCESS_TOKEN_TYPE, SecurityPolicy

    def load(self, request):
        claims = self.jwt.get_claims(request)
        if not claims or claims.get("typ") != ACCESS_TOKEN_TYPE or not claims.get("sub") \
                or "exp" not in claims:
            return None
        user = request.dbsession.get(
            User, str(claims["sub"]),
            options=[joinedload(User.student).joinedload(Student.school_class)])
        if user is None or not user.is_active or user.token_version != claims.get("tv"):
            return None
        return user

    with patched(SecurityPolicy, "_load_identity", load):
        yield


@contextlib.contextmanager
def combined(app):
    """jwt-once + no-pre-ping + no-reset-rollback + zope-listeners-once + gc-freeze."""
    with jwt_once(app), no_pre_ping(app), no_reset_rollback(app), \
            zope_listeners_once(app), gc_freeze(app):
        yield


VARIANTS = (  # name, context manager, endpoints it applies to
    ("jwt-once", jwt_once, AUTHENTICATED),
    ("no-pre-ping", no_pre_ping, ALL),
    ("no-reset-rollback", no_reset_rollback, ALL),
    ("zope-listeners-once", zope_listeners_once, ALL),
    ("ratelimit-off", ratelimit_off, AUTHENTICATED),
    ("gc-freeze", gc_freeze, ALL),
    ("identity-core", identity_core, PLAIN_USER_OK),
    ("me-one-query", me_one_query, ("me",)),
    ("combined", combined, ALL),
)


# -- measuring -------------------------------------------------------------------------------


def block(testapp, timed, nxt, name: str, requests: int) -> float:
    timed.seconds = timed.cpu_seconds = 0.0
    for _ in range(requests):
        nxt(testapp, name)
    return 1000 * timed.cpu_seconds / requests


def measure(testapp, timed, app, nxt, args) -> list[dict]:
    rows = []
    for variant, manager, endpoints in VARIANTS:
        if args.only and variant not in args.only:
            continue
        for name in endpoints:
            base, changed = [], []
            for _ in range(args.warmup):
                nxt(testapp, name)
            for number in range(args.rounds):
                # ABBA: which block comes first alternates, so a trend favours neither.
                if number % 2 == 0:
                    base.append(block(testapp, timed, nxt, name, args.requests))
                with manager(app):
                    for _ in range(args.warmup):
                        nxt(testapp, name)
                    changed.append(block(testapp, timed, nxt, name, args.requests))
                if number % 2 == 1:
                    base.append(block(testapp, timed, nxt, name, args.requests))
            # The fastest block is the least disturbed by other work on the machine (CPU
            # time per request moves with what shares the core); medians are kept too.
            b, c = min(base), min(changed)
            mb, mc = statistics.median(base), statistics.median(changed)
            rows.append({"variant": variant, "endpoint": name, "baseline_cpu_ms": round(b, 3),
                         "variant_cpu_ms": round(c, 3), "saving_ms": round(b - c, 3),
                         "saving_share": round((b - c) / b, 4),
                         "median_saving_ms": round(mb - mc, 3),
                         "baseline_blocks": [round(x, 3) for x in base],
                         "variant_blocks": [round(x, 3) for x in changed]})
            print(f"  {variant:<20} {name:<10} {b:7.2f} -> {c:7.2f} ms CPU (fastest blocks) "
                  f"saves {b - c:6.2f} ms ({(b - c) / b:6.1%}); medians {mb:.2f} -> {mc:.2f}",
                  flush=True)
    return rows


def fastest(fn, repeat: int = 300, runs: int = 7) -> float:
    """CPU milliseconds of one ``fn()``: the fastest of ``runs`` runs of ``repeat`` calls."""
    for _ in range(20):
        fn()
    best = float("inf")
    for _ in range(runs):
        began = time.thread_time()
        for _ in range(repeat):
            fn()
        best = min(best, (time.thread_time() - began) / repeat)
    return 1000 * best


def micro(rig, app, testapp, nxt) -> dict:
    """Single operations timed in isolation (CPU ms, this thread)."""
    import jwt
    import sqlalchemy as sa
    import transaction
    import zope.sqlalchemy
    from sqlalchemy.orm import joinedload

    from quizcore.models import Student, User

    engine = app.registry["dbengine"]
    factory = app.registry["dbsession_factory"]
    pool = engine.pool
    student = rig.students[0]
    token = student["token"]
    user_id = jwt.decode(token, options={"verify_signature": False})["sub"]
    users = User.__table__
    row_query = sa.select(users.c.id, users.c.name, users.c.role, users.c.is_active,
                          users.c.token_version).where(users.c.id == sa.bindparam("id"))
    out = {}
    out["jwt.decode (HS256, PyJWT)"] = fastest(
        lambda: jwt.decode(token, rig.jwt_secret, algorithms=["HS256"], leeway=0), 2000)

    def checkout():
        pool.connect().close()

    out["pool checkout + return (pre-ping on, reset ROLLBACK on)"] = fastest(checkout)
    with patched(pool, "_pre_ping", False):
        out["pool checkout + return, no pre-ping"] = fastest(checkout)
        from sqlalchemy.pool.base import ResetStyle
        with patched(pool, "_reset_on_return", ResetStyle.reset_none):
            out["pool checkout + return, no pre-ping, no reset ROLLBACK"] = fastest(checkout)
    raw = engine.raw_connection()
    out["MySQL COM_PING alone"] = fastest(lambda: raw.dbapi_connection.ping())
    out["MySQL ROLLBACK alone (idle connection)"] = fastest(lambda: raw.dbapi_connection.rollback())
    raw.close()

    def register():
        session = factory()
        zope.sqlalchemy.register(session, transaction_manager=transaction.TransactionManager(
            explicit=True))
        session.close()

    def bare():
        factory().close()

    out["new Session + zope.sqlalchemy.register() + close"] = fastest(register)
    out["new Session + close"] = fastest(bare)

    def orm_get():
        with factory() as session:
            session.get(User, user_id)

    def core_row():
        with factory() as session:
            session.execute(row_query, {"id": user_id}).one()

    def me_lazy():
        with factory() as session:
            user = session.get(User, user_id)
            user.student.school_class  # noqa: B018 - the lazy loads /auth/me triggers

    def me_joined():
        with factory() as session:
            user = session.get(User, user_id, options=[
                joinedload(User.student).joinedload(Student.school_class)])
            user.student.school_class  # noqa: B018

    out["identity: Session.get(User) in a new session (checkout, SELECT, close)"] = \
        fastest(orm_get)
    out["identity: Core row of 5 columns in a new session"] = fastest(core_row)
    out["/auth/me data: Session.get + 2 lazy loads (student, class)"] = fastest(me_lazy)
    out["/auth/me data: one Session.get with joined loads"] = fastest(me_joined)
    limits = app.registry["quizcore.ratelimits"]
    out["RateLimits.hit (EVALSHA round trip)"] = fastest(
        lambda: limits.hit("default_per_user", user_id))
    client = app.registry["redis"]
    out["Redis PING round trip (redis-py)"] = fastest(client.ping)
    from quizcore.db import make_engine

    null_engine = make_engine(rig.db_url, poolclass=sa.pool.NullPool)
    out["new MySQL connection + close (what a pool overflow costs)"] = fastest(
        lambda: null_engine.connect().close(), 50, 5)
    null_engine.dispose()
    # The garbage collector's own time while requests run, per request.
    spent = {"seconds": 0.0, "collections": 0}
    clock = {}

    def callback(phase, info):
        if phase == "start":
            clock["t"] = time.thread_time()
        else:
            spent["seconds"] += time.thread_time() - clock.pop("t", time.thread_time())
            spent["collections"] += 1

    import gc as gc_module
    for name in ("status", "answer"):
        spent.update(seconds=0.0, collections=0)
        gc_module.callbacks.append(callback)
        try:
            for _ in range(400):
                nxt(testapp, name)
        finally:
            gc_module.callbacks.remove(callback)
        out[f"garbage collection per {name} request"] = 1000 * spent["seconds"] / 400
        out[f"garbage collections per 100 {name} requests"] = spent["collections"] / 4
    for label, value in out.items():
        print(f"  micro: {label:<70} {value:8.3f}", flush=True)
    return {label: round(value, 4) for label, value in out.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="requests per block")
    parser.add_argument("--rounds", type=int, default=10, help="baseline/variant block pairs")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--only", nargs="*", help="variants to run (default: all)")
    parser.add_argument("--micro", action="store_true",
                        help="time single operations in isolation first")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    request_cost.stop_on_sigterm()
    import webtest

    rig_args = argparse.Namespace(
        students=args.students, minutes=120, bcrypt_rounds=4, api_processes=1,
        nginx_workers="1", mariadb_port=services.free_port(),
        redis_port=services.free_port(), innodb_buffer_pool="512M", keep=False)
    rig = request_cost.Rig(rig_args)
    try:
        rig.setup()
        rig.sign_in_and_start()
        rig.services["api-0"].stop()
        app = request_profile.build_app(rig)
        timed = request_profile.Timed(app)
        testapp = webtest.TestApp(timed, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
        nxt = request_profile.Requests(rig)
        began = time.time()
        micro_rows = micro(rig, app, testapp, nxt) if args.micro else None
        rows = measure(testapp, timed, app, nxt, args)
        rig.note(f"variants measured in {time.time() - began:.0f} s")
        app.registry["dbengine"].dispose()
    finally:
        rig.close()
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(
            {"command": " ".join(sys.argv), "args": vars(args), "commit": request_cost._commit(),
             "variants": {v: m.__doc__.split("\n\n")[0].replace("\n", " ").strip()
                          for v, m, _ in VARIANTS}, "micro": micro_rows, "rows": rows},
            indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
