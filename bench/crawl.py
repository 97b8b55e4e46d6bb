"""Crawl throughput (issue 15): our crawler (spider → extract → publish to the bus) against a bare
Scrapy spider fetching the same pages with the same Scrapy settings and doing nothing else
(bench/bare_spider.py), on a local generated site of N article pages (bench/site.py). Goal ≥ 0.8×.

``python -m bench.crawl [--articles 2000] [--runs 2] [--bus kafka|embedded]``. Throughput is article
pages per second over the window the site served the crawl in (first request to last), so the child
processes' start-up (imports, spaCy is not loaded by the crawler) counts for neither. A run is a
pair, bare and ours one after the other, their order swapped every run (bare, ours; ours, bare; …) so a
load that rises or falls through the benchmark favours neither; the ratio is the median of the pairs'
ratios, printed with their spread (default 3 pairs). Also reports the crawler's CPU a page against the
bare spider's (which a loaded machine moves less than throughput) and its peak RSS. The bus is Kafka when it is reachable (JIANCHA_KAFKA_BOOTSTRAP), else the embedded log.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile
import uuid
from pathlib import Path

from bench import results
from bench.bare_spider import BareSpider  # noqa: F401 - importable before the long runs start
from bench.memory import MeasuredProcess
from bench.site import ARTICLE_PATTERN, LIST_PATTERN, GeneratedSite
from pipeline.bus import open_bus
from pipeline.errors import ServiceUnavailable
from pipeline.settings import Settings
from pipeline.topics import all_topics

GOAL = 0.8


def sites_yaml(base: str) -> str:
    return (
        "sites:\n  - name: 生成站点\n"
        f"    start_urls: ['{base}/news/index.html']\n"
        f"    article_patterns: ['{ARTICLE_PATTERN}']\n"
        f"    list_patterns: ['{LIST_PATTERN}']\n"
        "    download_delay: 0\n    regions: [山西]\n"
    )


def bench_settings(work: Path, bus: str) -> Settings:
    settings = Settings(data_dir=work / "data", topic_prefix=f"bench_crawl_{uuid.uuid4().hex[:8]}.")
    if bus == "kafka":
        settings = settings.model_copy(
            update={
                "bus": "kafka",
                "kafka_bootstrap": os.environ.get("JIANCHA_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
            }
        )
    return settings


def kafka_reachable() -> bool:
    try:
        open_bus(bench_settings(Path(tempfile.gettempdir()), "kafka")).close()
        return True
    except ServiceUnavailable:
        return False


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_ours(site: GeneratedSite, settings: Settings, work: Path) -> tuple[float, float, float | None, int]:
    """(article pages/s, CPU ms per page, peak RSS MiB, articles published). Its log (an INFO line
    per article, as in production) goes to a file."""
    sites_file = work / "sites.yaml"
    sites_file.write_text(sites_yaml(site.base_url), encoding="utf-8")
    stats_file = work / "stats.json"
    site.reset()
    cpu = children_cpu_s()
    with (work / "crawler.log").open("w") as log_file:
        child = MeasuredProcess(
            "crawler.run",
            ["--sites-file", str(sites_file), "--stats-out", str(stats_file)],
            stdin=subprocess.PIPE,
            stderr=log_file,
            text=True,
        )
        child.process.communicate(settings.model_dump_json())
    if child.process.returncode != 0:
        tail = (work / "crawler.log").read_text()[-2000:]
        raise RuntimeError(f"our crawler exited with {child.process.returncode}:\n{tail}")
    _, served, seconds = site.window()
    published = int(json.loads(stats_file.read_text())["articles_published"])
    return served / seconds, (children_cpu_s() - cpu) * 1000 / served, child.peak_mib(), published


def run_bare(site: GeneratedSite) -> tuple[float, float]:
    """(article pages/s, CPU ms per page)."""
    site.reset()
    cpu = children_cpu_s()
    child = MeasuredProcess(
        "bench.bare_spider", [f"{site.base_url}/news/index.html", ARTICLE_PATTERN, LIST_PATTERN]
    )
    if child.process.wait() != 0:
        raise RuntimeError(f"the bare spider exited with {child.process.returncode}")
    _, served, seconds = site.window()
    if served < site.articles:
        raise RuntimeError(f"the bare spider fetched {served} of {site.articles} articles")
    return served / seconds, (children_cpu_s() - cpu) * 1000 / served


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.crawl", description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3, help="pairs of runs, bare and ours (default 3)")
    parser.add_argument("--bus", choices=["kafka", "embedded"], default=None)
    args = parser.parse_args(argv)
    bus = args.bus or ("kafka" if kafka_reachable() else "embedded")
    ours_rates, bare_rates, ratios, peaks, cpu = [], [], [], [], []
    with (
        GeneratedSite(args.articles) as site,
        tempfile.TemporaryDirectory(prefix="jiancha-bench-crawl-") as tmp,
    ):
        print(f"{args.articles} article pages at {site.base_url}, our crawler publishing to the {bus} bus")
        for run in range(args.runs):
            work = Path(tmp) / str(run)
            work.mkdir()
            settings = bench_settings(work, bus)
            loads = [os.getloadavg()[0]]
            try:
                if run % 2 == 0:
                    bare, bare_cpu = run_bare(site)
                    loads.append(os.getloadavg()[0])
                    ours, ours_cpu, peak, published = run_ours(site, settings, work)
                else:
                    ours, ours_cpu, peak, published = run_ours(site, settings, work)
                    loads.append(os.getloadavg()[0])
                    bare, bare_cpu = run_bare(site)
                loads.append(os.getloadavg()[0])
            finally:
                if bus == "kafka":
                    handle = open_bus(settings)
                    handle.delete_topics(all_topics(settings.topic_prefix))
                    handle.close()
            if published != args.articles:
                raise RuntimeError(f"our crawler published {published} of {args.articles} articles")
            bare_rates.append(bare)
            ours_rates.append(ours)
            ratios.append(ours / bare)
            cpu.append((ours_cpu, bare_cpu))
            if peak is not None:
                peaks.append(peak)
            order = "bare, ours" if run % 2 == 0 else "ours, bare"
            print(f"run {run + 1} ({order}): bare {bare:.0f} pages/s ({bare_cpu:.1f} ms CPU a page), ours {ours:.0f} "
                  f"pages/s ({ours_cpu:.1f} ms CPU a page), ratio {ours / bare:.2f}, "
                  f"load {min(loads):.1f}–{max(loads):.1f}", flush=True)  # fmt: skip
    ratio = statistics.median(ratios)
    spread = f"{min(ratios):.2f}–{max(ratios):.2f}"
    print(f"ratio: median {ratio:.2f} of {len(ratios)} pairs (spread {spread}); "
          f"CPU a page: ours {statistics.median(c[0] for c in cpu):.1f} ms, "
          f"bare {statistics.median(c[1] for c in cpu):.1f} ms", flush=True)  # fmt: skip
    results.record(
        "crawl",
        f"crawl throughput, {args.articles} pages (→ {bus} bus)",
        statistics.median(ours_rates),
        "pages/s",
        baseline=statistics.median(bare_rates),
        baseline_name="bare Scrapy spider",
        ratio=ratio,
        goal=results.at_least(GOAL),
        note=f"median of {len(ratios)} pairs, spread {spread}: {', '.join(f'{r:.2f}' for r in ratios)}",
    )
    ours_cpu = statistics.median(c[0] for c in cpu)
    bare_cpu = statistics.median(c[1] for c in cpu)
    results.record(
        "crawl",
        "crawler CPU per article page (whole process, start-up included)",
        ours_cpu,
        "ms",
        baseline=bare_cpu,
        baseline_name="bare Scrapy spider",
        ratio=bare_cpu / ours_cpu,
    )
    if peaks:
        results.record("crawl", "peak RSS: crawler", max(peaks), "MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
