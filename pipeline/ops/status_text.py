"""The text form of the status report (``jiancha status`` without ``--json``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def _when(timestamp: float | None) -> str:
    if not timestamp:
        return "never"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _size(size: Any) -> str:
    if not isinstance(size, int | float):
        return "?"
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def render(report: dict[str, Any]) -> str:
    lines = [f"Jiancha Monitor status at {report['at']}", "", "Services"]
    for check in report["services"]:
        lines.append(f"  {'ok  ' if check['ok'] else 'DOWN'} {check['name']:<14} {check['detail']}")

    lines += ["", "Stages (outcomes since each worker started; workers heard from recently)"]
    stages = report.get("stages")
    if stages:
        for name, entry in stages.items():
            workers = ", ".join(
                f"{w['instance']} {w['state']}"
                + (
                    f" (restarted {w['restarts']}x, last error: {w['last_error']})"
                    if w.get("restarts")
                    else ""
                )
                + f" {w['seen_s_ago']}s ago"
                for w in entry["workers"]
            )
            lines.append(
                f"  {name:<9} processed {entry['processed']:>7}  dropped {entry['dropped']:>6}  "
                f"failed {entry['failed']:>6}  [{workers}]"
            )
    elif stages is not None:
        lines.append("  no worker heard from")

    lines += ["", "Consumer lag"]
    for row in report.get("lag", []):
        lines.append(
            f"  {row['stage']:<9} {row['topic']}[{row['partition']}]  lag {row['lag']:>7}  "
            f"(committed {row['committed']} of {row['end']})"
        )

    letters = report.get("dead_letters")
    if letters is not None:
        lines += ["", f"Dead letters: {letters['total']}"]
        for row in letters["by_stage_and_reason"]:
            lines.append(f"  {row['stage']:<9} {row['count']:>6}  {row['reason']}")

    index = report.get("index")
    if index is not None:
        lines += [
            "",
            f"Index: {index.get('documents', '?')} documents, {_size(index.get('size_bytes'))} "
            f"({index.get('backend', '?')})",
        ]

    sites = report.get("sites")
    if sites is not None:
        flagged = [s for s in sites if s["flags"]]
        crawled = [s for s in sites if s["last_crawl_at"] is not None]
        lines += ["", f"Sites: {len(sites)} known, {len(crawled)} crawled, {len(flagged)} flagged"]
        for site in sites:
            if site["last_crawl_at"] is None:
                continue  # configured, not crawled within the history looked at
            mark = "FLAG" if site["flags"] else "ok  "
            lines.append(
                f"  {mark} {site['site']:<24} last crawl {_when(site['last_crawl_at'])} "
                f"{site['last_outcome'] or '-'}, {site['last_published']} new; "
                f"last new article {_when(site['last_new_article_at'])}"
            )
            lines.extend(f"         ! {flag}" for flag in site["flags"])

    for part, error in report["errors"].items():
        lines.append(f"\n{part} unavailable: {error}")
    return "\n".join(lines)
