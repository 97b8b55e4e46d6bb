"""The monitor's commands: ``saved list|add|remove|pause|resume``, the ``alerts`` worker, the daily
``digest`` and the weekly ``briefing`` (alerts/)."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from pipeline.commands.common import SubParsers, UsageError
from pipeline.settings import Settings

if TYPE_CHECKING:
    from alerts.store import AlertStore


def _store(settings: Settings) -> AlertStore:
    from alerts.store import open_store

    return open_store(settings)


def cmd_saved(settings: Settings, args: argparse.Namespace) -> int:
    from alerts.model import ChannelSpec, SavedSearch
    from alerts.store import DuplicateName, NotFound

    store = _store(settings)
    try:
        if args.action == "list":
            searches = store.searches(args.owner)
            failing = {(h.search_id, h.channel_no) for h in store.health() if h.failing}
            for s in searches:
                labels = [
                    c.label() + (" FAILING" if (s.id, n) in failing else "") for n, c in enumerate(s.channels)
                ]
                print(json.dumps({"id": s.id, "name": s.name, "owner": s.owner, "query": s.query,
                                  "paused": s.paused, "channels": labels}, ensure_ascii=False))  # fmt: skip
            return 0
        if args.action == "add":
            if not args.name or not args.query:
                raise UsageError(
                    "saved add needs NAME and QUERY: jiancha saved add 汾河 '汾河 公益诉讼' --webhook URL"
                )
            channels = [ChannelSpec(kind=kind, target=target, secret=args.secret if kind in ("dingtalk", "feishu") else None)
                        for kind in ("webhook", "wecom", "dingtalk", "feishu", "email")
                        for target in getattr(args, kind) or []]  # fmt: skip
            window = (args.window or "").split("-") if args.window else [None, None]
            if len(window) != 2:
                raise UsageError("--window is written HH:MM-HH:MM, e.g. 08:00-22:00")
            search = SavedSearch(
                name=args.name, owner=args.owner or "admin", query=args.query, site=args.site, source=args.source,
                region=args.region, procuratorate=args.procuratorate, topic=args.topic,
                only_critical=args.only_critical, only_relevant=args.only_relevant,
                batch_minutes=args.batch_minutes, window_start=window[0], window_end=window[1],
                carried_threshold=args.carried, channels=channels,
            )  # fmt: skip
            saved = store.add(search)
            print(f"jiancha: saved search {saved.id} {saved.name!r}; its Atom feed: "
                  f"{settings.public_url}/feeds/{saved.id}.atom?token={saved.feed_token}")  # fmt: skip
            return 0
        if not args.name:
            raise UsageError(f"saved {args.action} needs the NAME or id of a saved search")
        search = store.find(args.name)
        assert search.id is not None
        if args.action == "remove":
            store.remove(search.id)
        else:
            store.update(search.model_copy(update={"paused": args.action == "pause"}))
        print(f"jiancha: saved search {search.id} {search.name!r}: {args.action}d")
        return 0
    except ValidationError as error:
        raise UsageError("; ".join(e["msg"] for e in error.errors())) from error
    except (DuplicateName, NotFound) as error:
        raise UsageError(str(error.args[0]) if error.args else str(error)) from error
    finally:
        store.close()


def run_alerts(settings: Settings, stop: threading.Event, signals: bool = False) -> None:
    """The alerts worker until ``stop`` (also started by ``jiancha up``); with ``signals`` (the
    main thread of ``jiancha alerts``) SIGTERM and SIGINT stop it."""
    from alerts.worker import AlertsWorker
    from indexer import open_index

    backend = open_index(settings)
    store = _store(settings)
    try:
        worker = AlertsWorker(settings, backend, store)
        if signals:
            worker.stop_on_sigterm(stop)
        worker.run(stop)
    finally:
        store.close()
        backend.close()


def cmd_alerts(settings: Settings, args: argparse.Namespace) -> int:
    if args.once:
        from alerts.worker import AlertsWorker
        from indexer import open_index

        backend, store = open_index(settings), _store(settings)
        try:
            worker = AlertsWorker(settings, backend, store)
            recorded, sent = worker.run_once()
            worker.deliverer.close()
            print(json.dumps({"alerts": recorded, "sent": sent}))
        finally:
            store.close()
            backend.close()
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # until the worker takes the signals over
    run_alerts(settings, stop, signals=True)
    return 0


def _day(text: str) -> datetime:
    from alerts.schedule import CHINA_TZ

    try:
        return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)
    except ValueError:
        raise UsageError(f"not a date: {text!r} (write it YYYY-MM-DD)") from None


def cmd_briefing(settings: Settings, args: argparse.Namespace) -> int:
    from alerts.briefing import collect_briefing
    from alerts.briefing_docx import write_docx
    from alerts.briefing_html import render_briefing_html
    from indexer import QueryError, open_index

    start, end = _day(args.date_from), _day(args.date_to) + timedelta(days=1)  # --to is inclusive
    if end <= start:
        raise UsageError("--to must not be before --from")
    backend = open_index(settings)
    try:
        briefing = collect_briefing(backend, start, end, args.query)
    except QueryError as error:
        raise UsageError(str(error)) from error
    finally:
        backend.close()
    out: Path = args.out
    if out.suffix.lower() in (".html", ".htm"):
        out.write_text(render_briefing_html(briefing), encoding="utf-8")
    else:
        write_docx(briefing, out)
    if args.html:
        args.html.write_text(render_briefing_html(briefing), encoding="utf-8")
    print(f"jiancha: briefing {briefing.period_label} written to {out}")
    return 0


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    from alerts.channels import ChannelError
    from alerts.digest import collect_digest, render_digest_html, render_digest_text
    from alerts.store import NotFound
    from indexer import open_index

    store = _store(settings)
    backend = open_index(settings)
    try:
        search = store.find(args.search)
        day = _day(args.day) if args.day else None
        digest = collect_digest(backend, [search], day)
        if args.out:
            args.out.write_text(render_digest_html(digest), encoding="utf-8")
        if args.email:
            from alerts.channels.email import send_mail

            send_mail(
                settings, args.email, digest.subject, render_digest_text(digest), render_digest_html(digest)
            )
        if not args.out and not args.email:
            print(render_digest_text(digest))
    except NotFound as error:
        raise UsageError(str(error.args[0])) from error
    except ChannelError as error:
        raise UsageError(f"the digest could not be mailed: {error}") from error
    finally:
        backend.close()
        store.close()
    return 0


def register(sub: SubParsers) -> None:
    saved = sub.add_parser("saved", help="saved searches that alert: list, add, remove, pause, resume")
    saved.add_argument("action", choices=["list", "add", "remove", "pause", "resume"])
    saved.add_argument("name", nargs="?", help="its name (add), or its name or id")
    saved.add_argument("query", nargs="?", help="the search (add), in the search syntax")
    saved.add_argument("--owner", help="whose search it is (list: only theirs; default admin)")
    for name in ("site", "source", "region", "procuratorate", "topic"):
        saved.add_argument(f"--{name}", help=f"filter: only this {name}")
    saved.add_argument("--only-critical", action="store_true", help="only stories of critical tone")
    saved.add_argument("--only-relevant", action="store_true", help="only stories judged relevant")
    saved.add_argument(
        "--batch-minutes", type=int, default=0, help="collect alerts into one message every N minutes"
    )
    saved.add_argument("--window", help="push only in this window (China time), e.g. 08:00-22:00")
    saved.add_argument("--carried", type=int, help="also alert once when a story reaches N copies")
    for kind, what in (("webhook", "URL"), ("wecom", "robot URL"), ("dingtalk", "robot URL"),
                       ("feishu", "robot URL"), ("email", "address")):  # fmt: skip
        saved.add_argument(
            f"--{kind}", action="append", metavar=what.split()[-1].upper(), help=f"send to this {what}"
        )
    saved.add_argument("--secret", help="the DingTalk/Feishu robot's signing secret")
    saved.set_defaults(func=cmd_saved)

    alerts = sub.add_parser("alerts", help="run the alerts worker (saved searches -> feeds, robots, e-mail)")
    alerts.add_argument("--once", action="store_true", help="one look and one delivery round, then exit")
    alerts.set_defaults(func=cmd_alerts)

    briefing = sub.add_parser("briefing", help="the weekly briefing (舆情周报) as DOCX or HTML")
    briefing.add_argument(
        "--from", dest="date_from", required=True, help="first day, YYYY-MM-DD (China time)"
    )
    briefing.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD (inclusive)")
    briefing.add_argument("--query", help="only articles matching this search")
    briefing.add_argument("--out", type=Path, required=True, help="FILE.docx (or FILE.html)")
    briefing.add_argument("--html", type=Path, help="also write the HTML form here")
    briefing.set_defaults(func=cmd_briefing)

    digest = sub.add_parser("digest", help="the daily digest of a saved search (HTML page, e-mail)")
    digest.add_argument("search", help="the saved search's name or id")
    digest.add_argument("--day", help="the day, YYYY-MM-DD (default: yesterday, China time)")
    digest.add_argument("--out", type=Path, help="write the HTML page here")
    digest.add_argument("--email", help="mail it to this address")
    digest.set_defaults(func=cmd_digest)
