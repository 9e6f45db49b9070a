"""Entry point of ``quizctl -c INI COMMAND ...``."""

from __future__ import annotations

import argparse
import logging
import sys

from pyramid.paster import bootstrap, setup_logging


def _base_parser(add_help: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizctl", description="quizcore administration",
                                     add_help=add_help)
    parser.add_argument("-c", "--config", default="development.ini",
                        help="application ini file (default: development.ini)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    known, _ = _base_parser(add_help=False).parse_known_args(argv)
    try:
        setup_logging(known.config)
    except Exception:  # noqa: BLE001 - an ini without logging sections is fine
        logging.basicConfig(level=logging.INFO)
    env = bootstrap(known.config)
    try:
        commands = env["registry"].get("quizcore.commands", {})
        parser = _base_parser()
        subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
        for name in sorted(commands):
            command = commands[name]
            sub = subparsers.add_parser(name, help=command.help, description=command.help)
            if command.arguments:
                command.arguments(sub)
        args = parser.parse_args(argv)
        return int(commands[args.command].func(env, args) or 0)
    finally:
        env["closer"]()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
