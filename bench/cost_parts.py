"""The parts of a quizcore request, found in a profile: cProfile stats or py-spy stacks.

``bench/request_profile.py`` (cProfile, in process) and ``bench/request_cost.py --profile``
(py-spy on the deployed API processes) describe the cost of one request the same two ways:

* **parts** (inclusive): the time spent inside a function and everything it calls, for the
  functions a request is made of -- JWT decodes, the identity load, the rate-limit hit,
  pool checkout and pre-ping, SQL, Redis, the pyramid_tm commit, validation, rendering.
  Parts overlap (the identity load contains a JWT decode and an ORM get);
* **layers** (exclusive): each sample or each function's own time charged to the library
  its code lives in (MySQLdb, SQLAlchemy ORM, SQLAlchemy core, redis-py, PyJWT, pyramid,
  pyramid_tm/transaction/zope.sqlalchemy, cornice/colander, WebOb, waitress, quizcore...),
  summing to 100 %.

Run as a script it summarises py-spy collapsed-stack files (``py-spy record --format raw``):

    .venv/bin/python bench/cost_parts.py docs/profiles/pyspy/*.txt
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

Frame = tuple[str, str]  # (file path suffix, function name)


@dataclass(frozen=True)
class Part:
    label: str
    functions: tuple[Frame, ...]
    #: Only the time of ``functions`` called (directly, for cProfile; anywhere below, for
    #: stacks) from this function.
    parent: Frame | None = None


VIEWS: tuple[Frame, ...] = (
    ("quizcore/services/health.py", "get_health"),
    ("quizcore/services/auth.py", "get_me"),
    ("quizcore/services/attempts.py", "get_attempt_status"),
    ("quizcore/services/attempts.py", "save_answer"),
    ("quizcore/services/quizzes.py", "start_quiz"),
    ("quiz_plugins/anticheat/views.py", "report_violation"),
)

PARTS: tuple[Part, ...] = (
    Part("whole request in the app (pyramid Router.__call__)",
         (("pyramid/router.py", "__call__"),)),
    Part("rate-limit tween: JWT decode (ratelimit._access_token_subject)",
         (("quizcore/ratelimit.py", "_access_token_subject"),)),
    Part("rate-limit tween: RateLimits.hit (Redis EVALSHA)",
         (("quizcore/ratelimit.py", "hit"),)),
    Part("identity: SecurityPolicy._load_identity (all of it)",
         (("quizcore/security.py", "_load_identity"),)),
    Part("  identity: JWT decode (pyramid_jwt get_claims)",
         (("pyramid_jwt/policy.py", "get_claims"),)),
    Part("  identity: Session.get(User) (ORM identity load + SELECT)",
         (("sqlalchemy/orm/session.py", "get"),),
         parent=("quizcore/security.py", "_load_identity")),
    Part("JWT decodes, all (PyJWT.decode_complete)", (("jwt/api_jwt.py", "decode_complete"),)),
    Part("pyramid_retry: request body copied to be seekable (WebOb make_body_seekable)",
         (("webob/request.py", "make_body_seekable"),)),
    Part("cornice/colander validation", (("cornice/validators/_colander.py", "validator"),
                                         ("cornice/validators/_colander.py", "_validator"))),
    Part("view callable (the endpoint's own function)", VIEWS),
    Part("JSON rendering (pyramid renderers render_view)",
         (("pyramid/renderers.py", "render_view"),)),
    Part("transaction begin/commit/abort (pyramid_tm, zope.sqlalchemy)", (
        ("transaction/_manager.py", "begin"), ("transaction/_manager.py", "commit"),
        ("transaction/_manager.py", "abort"))),
    Part("  after-commit hooks (events to Redis: XADD + PUBLISH)",
         (("transaction/_transaction.py", "_callAfterCommitHooks"),)),
    Part("zope.sqlalchemy.register: 7 event.listen on each request's new Session",
         (("sqlalchemy/datamanager.py", "register"),)),
    Part("zope.sqlalchemy end of transaction (SessionDataManager._finish: Session.close)",
         (("sqlalchemy/datamanager.py", "_finish"),)),
    Part("pool checkout (pre-ping included)", (("sqlalchemy/pool/base.py", "_checkout"),)),
    Part("  pre-ping (COM_PING round trip)",
         (("sqlalchemy/dialects/mysql/mysqldb.py", "do_ping"),)),
    Part("  new MySQL connection (connect + init_command)",
         (("sqlalchemy/pool/base.py", "__connect"),)),
    Part("pool return (reset-on-return ROLLBACK)",
         (("sqlalchemy/pool/base.py", "_finalize_fairy"),)),
    Part("SQL: Connection._execute_context (statement + result)",
         (("sqlalchemy/engine/base.py", "_execute_context"),)),
    Part("  MySQLdb cursor.execute (send, wait, read)", (("MySQLdb/cursors.py", "execute"),)),
    Part("ORM: Session.execute (compile, load)", (("sqlalchemy/orm/session.py", "execute"),)),
    Part("Redis: every command (execute_command, pipelines)", (
        ("redis/client.py", "execute_command"), ("redis/client.py", "execute"))),
    Part("domain events: emit", (("quizcore/events.py", "emit"),)),
)

#: (layer, path prefixes): the first whose prefix starts the frame's file path wins.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("MySQL driver (MySQLdb)", ("MySQLdb/",)),
    # zope.sqlalchemy is a namespace package: py-spy names its file sqlalchemy/datamanager.py.
    ("pyramid_tm, transaction, zope.sqlalchemy, pyramid_retry",
     ("zope/", "sqlalchemy/datamanager.py", "pyramid_tm/", "transaction/", "pyramid_retry/")),
    ("SQLAlchemy ORM", ("sqlalchemy/orm/",)),
    ("SQLAlchemy core (engine, pool, sql, dialect)", ("sqlalchemy/",)),
    ("redis-py, limits", ("redis/", "limits/")),
    ("PyJWT, pyramid_jwt, hmac", ("jwt/", "pyramid_jwt/", "hmac.py")),
    ("cornice, colander", ("cornice/", "cornice_swagger/", "colander/")),
    ("pyramid (router, views, security, renderers)", ("pyramid/",)),
    ("WebOb", ("webob/",)),
    ("waitress (HTTP parsing, I/O loop)", ("waitress/",)),
    ("WebTest", ("webtest/",)),
    ("json", ("json/",)),
    ("quizcore and plugins", ("quizcore/", "quiz_plugins/")),
)
OTHER_LAYER = "other (stdlib: threading, socket, logging, datetime...)"


def short_path(path: str) -> str:
    """``.../site-packages/sqlalchemy/orm/session.py`` -> ``sqlalchemy/orm/session.py``."""
    path = path.replace("\\", "/")
    for marker in ("/site-packages/", "/src/", "/lib/python3."):
        if marker in path:
            tail = path.rsplit(marker, 1)[1]
            return tail.split("/", 1)[1] if marker == "/lib/python3." and "/" in tail else tail
    return path


def layer_of(path: str) -> str:
    path = short_path(path)
    for layer, prefixes in LAYERS:
        if path.startswith(prefixes):
            return layer
    return OTHER_LAYER


def _matches(frame: Frame, spec: Frame) -> bool:
    return frame[1] == spec[1] and frame[0].endswith(spec[0])


# -- py-spy collapsed stacks -----------------------------------------------------------------

_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def parse_frame(text: str) -> Frame:
    """``PyJWT.decode_complete (jwt/api_jwt.py:267)`` -> ``(jwt/api_jwt.py, decode_complete)``."""
    match = _FRAME.match(text.strip())
    if not match:
        return ("", text.strip())
    name = match["name"].rsplit(".", 1)[-1]
    return (short_path(match["file"]), name)


def read_stacks(path: Path) -> list[tuple[list[Frame], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append(([parse_frame(f) for f in stack.split(";")], int(count)))
    return stacks


def summarise_stacks(stacks, *, requests: int | None = None, rate: float | None = None) -> dict:
    """Parts and layers of a set of stacks, as shares of all samples (and milliseconds of
    sampled time per request when ``requests`` and the sampling ``rate`` are known)."""
    total = sum(count for _, count in stacks) or 1
    parts: Counter = Counter()
    layers: Counter = Counter()
    for frames, count in stacks:
        layers[layer_of(frames[-1][0]) if frames else OTHER_LAYER] += count
        for part in PARTS:
            start = 0
            if part.parent is not None:
                below = [i for i, f in enumerate(frames) if _matches(f, part.parent)]
                if not below:
                    continue
                start = below[0] + 1
            if any(_matches(f, spec) for f in frames[start:] for spec in part.functions):
                parts[part.label] += count
        if not any(_matches(f, ("pyramid/router.py", "__call__")) for f in frames):
            parts["outside the app: waitress I/O loop, HTTP parsing, thread hand-off"] += count

    def entry(samples: int) -> dict:
        row = {"samples": samples, "share": round(samples / total, 4)}
        if requests and rate:
            row["ms_per_request"] = round(1000 * samples / rate / requests, 3)
        return row

    labels = [p.label for p in PARTS] + \
        ["outside the app: waitress I/O loop, HTTP parsing, thread hand-off"]
    return {"samples": total,
            "parts": {label: entry(parts[label]) for label in labels if parts[label]},
            "layers": {layer: entry(n) for layer, n in layers.most_common()}}


# -- cProfile stats --------------------------------------------------------------------------


def summarise_pstats(stats) -> dict:
    """Parts (inclusive seconds, primitive calls) and layers (own seconds; a built-in's time
    goes to the layers of its callers, in proportion) of a ``pstats.Stats``."""
    table = stats.stats
    parts: dict[str, list] = {}
    for part in PARTS:
        seconds, calls = 0.0, 0
        for (filename, _line, function), (primitive, _n, _tt, cumulative, callers) in \
                table.items():
            frame = (short_path(filename), function)
            if not any(_matches(frame, spec) for spec in part.functions):
                continue
            if part.parent is None:
                seconds += cumulative
                calls += primitive
                continue
            for (caller_file, _l, caller_function), value in callers.items():
                if _matches((short_path(caller_file), caller_function), part.parent):
                    calls += value[0]
                    seconds += value[3]
        if seconds:
            parts[part.label] = [seconds, calls]
    layers: Counter = Counter()
    for (filename, _line, _function), (_p, _n, own, _cum, callers) in table.items():
        if filename != "~":
            layers[layer_of(filename)] += own
            continue
        weight = sum(value[3] for value in callers.values()) or 1.0
        if not callers:
            layers[OTHER_LAYER] += own
        for (caller_file, _l, _f), value in callers.items():
            layers[layer_of(caller_file) if caller_file != "~" else OTHER_LAYER] += \
                own * value[3] / weight
    return {"parts": parts, "layers": dict(layers)}


# -- command line ----------------------------------------------------------------------------


def print_summary(name: str, summary: dict) -> None:
    print(f"\n{name}: {summary['samples']} samples")
    per_request = any("ms_per_request" in row for row in summary["parts"].values())
    unit = "  ms/req" if per_request else ""
    print(f"  {'part (inclusive)':<70}{'share':>7}{unit}")
    for label, row in summary["parts"].items():
        extra = f"{row['ms_per_request']:>8.2f}" if per_request else ""
        print(f"  {label:<70}{row['share']:>7.1%}{extra}")
    print(f"  {'layer (exclusive: the leaf frame)':<70}{'share':>7}{unit}")
    for label, row in summary["layers"].items():
        extra = f"{row['ms_per_request']:>8.2f}" if per_request else ""
        print(f"  {label:<70}{row['share']:>7.1%}{extra}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="py-spy raw (collapsed) files")
    parser.add_argument("--meta", type=Path,
                        help="JSON with {name: {requests, rate}} for milliseconds per request")
    parser.add_argument("--json", type=Path, help="write the summaries to this file")
    args = parser.parse_args(argv)
    meta = json.loads(args.meta.read_text()) if args.meta else {}
    out = {}
    for path in args.files:
        name = path.stem
        info = meta.get(name, {})
        out[name] = summarise_stacks(read_stacks(path), requests=info.get("requests"),
                                     rate=info.get("rate"))
        print_summary(name, out[name])
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
