"""The operators' commands: ``status``, ``health``, ``dlq list|show|replay``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime

from pipeline.commands.common import SubParsers, UsageError, start_bus
from pipeline.settings import Settings


def parse_since(value: str | None) -> datetime | None:
    """``2026-11-30`` (midnight UTC) or an ISO time with or without zone (UTC when none)."""
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise UsageError(f"--since wants a date (2026-11-30) or an ISO time, not {value!r}") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline.ops.status import gather, healthy
    from pipeline.ops.status_text import render

    report = gather(settings)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render(report))
    # Like `systemctl status`: non-zero when something needs attention, so scripts can alert on it.
    return 0 if healthy(report) else 1


def cmd_health(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when the endpoint answers 200 (compose healthchecks run this in the container)."""
    from pipeline.ops.server import probe

    host = "127.0.0.1" if settings.metrics_host in ("0.0.0.0", "") else settings.metrics_host
    url = args.url or f"http://{host}:{settings.metrics_port or 9464}/{'ready' if args.ready else 'health'}"
    ok, body = probe(url)
    print(body)
    return 0 if ok else 1


def cmd_dlq(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline.ops import dlq

    bus = start_bus(settings)
    try:
        if args.action == "show":
            if not args.id:
                raise UsageError("dlq show needs the letter's id (as `dlq list` prints it), e.g. 0:17")
            letter = dlq.find(bus, settings.topic_prefix, args.id)
            if letter is None:
                raise UsageError(f"no dead letter {args.id}")
            print(
                json.dumps(
                    {**letter.summary(), "payload": _payload_text(letter.payload)},
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return 0
        chosen = dlq.letters(bus, settings.topic_prefix, args.stage, args.reason, parse_since(args.since))
        if args.id:
            chosen = (letter for letter in chosen if letter.id == args.id)
        if args.action == "list":
            count = 0
            for letter in chosen:
                count += 1
                if args.json:
                    print(json.dumps(letter.summary(), ensure_ascii=False))
                else:
                    print(
                        f"{letter.id:<10} {letter.stage:<9} {letter.failed_at or '-'}  {letter.error[:100]}"
                    )
            if not args.json:
                print(f"{count} dead letter(s)", file=sys.stderr)
            return 0
        from tqdm import tqdm

        result = dlq.replay(
            bus,
            settings.topic_prefix,
            chosen,
            force=args.force,
            progress=lambda items: tqdm(
                items, desc="replaying", unit="letter", file=sys.stderr, disable=None
            ),
        )
        print(json.dumps(result.__dict__))
        return 0
    finally:
        bus.close()


def _payload_text(payload: bytes) -> object:
    try:
        return json.loads(payload)
    except ValueError:
        return payload.decode("utf-8", "replace")


def register(sub: SubParsers) -> None:
    status = sub.add_parser(
        "status",
        help="stages, lag, dead letters, crawls and site health, index, services (exit 1: attention)",
    )
    status.add_argument("--json", action="store_true", help="the report as JSON")
    status.set_defaults(func=cmd_status)

    health = sub.add_parser(
        "health", help="ask a worker's /health (or /ready) endpoint; exit 0 when it is ok"
    )
    health.add_argument("--ready", action="store_true", help="ask /ready: do its dependencies answer?")
    health.add_argument("--url", help="the endpoint to ask (default: this machine's metrics port)")
    health.set_defaults(func=cmd_health)

    dlq = sub.add_parser("dlq", help="dead letters: list, show one, replay to the stage's input")
    dlq.add_argument("action", choices=["list", "show", "replay"])
    dlq.add_argument("id", nargs="?", help="one letter's id (partition:offset), for show or replay")
    dlq.add_argument(
        "--stage", choices=["crawler", "entities", "topics", "indexer"], help="only this stage's"
    )
    dlq.add_argument("--reason", help="only letters whose error contains this text")
    dlq.add_argument("--since", help="only letters that failed at or after this date or time (UTC)")
    dlq.add_argument("--json", action="store_true", help="list: one JSON object per line")
    dlq.add_argument("--force", action="store_true", help="replay: send letters replayed before again")
    dlq.set_defaults(func=cmd_dlq)
