"""The index commands: ``index init|reindex|stats`` and ``search``."""

from __future__ import annotations

import argparse
import json

from pydantic import ValidationError

from pipeline.commands.common import SubParsers, UsageError, init_index
from pipeline.settings import Settings


def cmd_index(settings: Settings, args: argparse.Namespace) -> int:
    from indexer import open_index

    if args.action == "init":
        init_index(settings)
        print(f"jiancha: index {settings.index_name} ready on {settings.index}")
        return 0
    backend = open_index(settings)
    try:
        if args.action == "reindex":
            from pipeline.commands.maintenance import progress_bar

            result = backend.reindex(lambda items, total: progress_bar(items, total, "reindex"))
        else:
            result = backend.stats()
        print(json.dumps({"index": settings.index_name, **result}, ensure_ascii=False))
    finally:
        backend.close()
    return 0


def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    from indexer import open_index
    from indexer.base import QueryError
    from indexer.cli import run_search

    backend = open_index(settings)
    try:
        print(run_search(backend, args))
    except (QueryError, ValidationError) as error:  # the words or the options the person typed
        raise UsageError(str(error)) from error
    finally:
        backend.close()
    return 0


def register(sub: SubParsers) -> None:
    index = sub.add_parser("index", help="manage the search index")
    index.add_argument(
        "action",
        choices=["init", "reindex", "stats"],
        help="init: create the index from config/; reindex: rebuild it from the stored documents "
        "with the current config/ files (no downtime, no lost writes); stats: documents and size",
    )
    index.set_defaults(func=cmd_index)

    search = sub.add_parser("search", help="search the index")
    from indexer.cli import add_search_arguments

    add_search_arguments(search)
    search.set_defaults(func=cmd_search)
