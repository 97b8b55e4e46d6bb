"""The ``jiancha`` command: the parser and the entry point; the commands live in ``pipeline/commands/``.

This and ``pipeline/commands`` are the only place that wires crawler, processors, indexer and webapp
together. Exit codes: 0 done, 2 a usage error (ours, with how to call it), 3 a service is unreachable,
4 an index or store schema is missing (the message names the command that creates it), 130
interrupted; anything else a command returns (e.g. 1: a stage died).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from pipeline.commands import MODULES
from pipeline.commands.common import UsageError
from pipeline.errors import SchemaMissing, ServiceUnavailable
from pipeline.logs import configure_logging
from pipeline.settings import Settings

__all__ = ["UsageError", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jiancha", description="Monitor news coverage of procuratorate work."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in MODULES:
        importlib.import_module(f"pipeline.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"jiancha: invalid settings: {error}", file=sys.stderr)
        return 2
    configure_logging(settings)
    try:
        result: int = args.func(settings, args)
        return result
    except ServiceUnavailable as error:
        print(f"jiancha: {error}", file=sys.stderr)
        return 3
    except SchemaMissing as error:
        print(f"jiancha: {error}", file=sys.stderr)
        return 4
    except UsageError as error:
        print(f"jiancha: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
