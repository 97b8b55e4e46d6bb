"""The tools around the pipeline: ``web``, ``demo-site``, ``extract`` (one page) and ``enrich`` (one article)."""

from __future__ import annotations

import argparse
import hashlib
import json
import signal
import sys
import threading

from pipeline.commands.common import SubParsers, UsageError, demo_site
from pipeline.commands.stages import serve_web
from pipeline.settings import Settings


def cmd_web(settings: Settings, args: argparse.Namespace) -> int:
    serve_web(settings)
    return 0


def cmd_demo_site(settings: Settings, args: argparse.Namespace) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with demo_site(settings, True) as base:
        print(f"jiancha: demo news sites at {base} (Ctrl-C stops)", flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


def cmd_extract(settings: Settings, args: argparse.Namespace) -> int:
    from crawler.extract import extract_target

    try:
        fields = extract_target(args.target, url=args.url, settings=settings)
    except OSError as error:  # a saved file that is not there, or a URL that cannot be fetched
        raise UsageError(f"cannot read {args.target}: {error}") from error
    print(json.dumps(fields, ensure_ascii=False, indent=2))
    return 0


def cmd_enrich(settings: Settings, args: argparse.Namespace) -> int:
    """One article as JSON on stdin (at least ``body``) → every processing step in order → JSON on stdout."""
    from crawler.sites import SiteConfigError, load_sites
    from pipeline.model import Article, article_id_for, content_hash_for
    from processors.chain import build_all_steps

    try:
        fields = json.loads(sys.stdin.read())
    except json.JSONDecodeError as error:
        raise UsageError(f"enrich reads one article as JSON on stdin: {error}") from error
    if not isinstance(fields, dict) or not isinstance(fields.get("body"), str):
        raise UsageError("enrich needs a JSON object with at least a string `body`")
    known = {k: v for k, v in fields.items() if k in Article.model_fields and v is not None}
    url = known.pop("url", "")
    # Without a URL the id is a hash of the text: the same body always gets the same id.
    known.setdefault(
        "article_id", article_id_for(url) if url else hashlib.sha256(known["body"].encode()).hexdigest()[:32]
    )
    try:
        article = Article(url=url, **known)
    except ValueError as error:  # pydantic's ValidationError: a field of the wrong type
        raise UsageError(f"enrich: not an article: {error}") from error
    if not article.content_hash:
        article.content_hash = content_hash_for(article.title, article.body)
    if article.site and not article.site_regions:  # as the crawler does: the site's region tags
        try:
            sites = {site.name: site for site in load_sites(settings.sites_path)}
        except SiteConfigError:
            sites = {}
        if article.site in sites:
            article.site_regions = list(sites[article.site].regions)
    for step in build_all_steps(settings):
        article = step(article)
    print(json.dumps(article.model_dump(mode="json"), ensure_ascii=False, indent=2))
    return 0


def register(sub: SubParsers) -> None:
    web = sub.add_parser("web", help="serve the web app")
    web.set_defaults(func=cmd_web)

    demo = sub.add_parser("demo-site", help="serve the bundled demo news sites")
    demo.set_defaults(func=cmd_demo_site)

    extract = sub.add_parser("extract", help="extract one article page and print it as JSON")
    extract.add_argument("target", help="a saved HTML file or a URL")
    extract.add_argument("--url", help="the page's URL when extracting a saved file")
    extract.set_defaults(func=cmd_extract)

    enrich = sub.add_parser(
        "enrich", help="run every processing step on one article JSON from stdin and print it enriched"
    )
    enrich.set_defaults(func=cmd_enrich)
