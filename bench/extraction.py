"""Extraction accuracy benchmark: our ``extract()`` against trafilatura and GNE on the same pages, same run.

    .venv/bin/python -m bench.extraction [--misses] [--evaldata DIR]

Pages: ``../shared/evaldata`` (real Chinese news pages with ground truth) and the sample article as the
demo sites render it. Needs the ``bench`` extras (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from statistics import mean

from bench.evalset import EVALDATA, Case, held_out, load_cases
from bench.results import at_least, record
from bench.scoring import (
    METHOD,
    Answer,
    body_f1,
    date_matches,
    norm_title,
    peer_authors,
    peer_date,
    snippet_score,
)
from crawler.extract import extract
from crawler.extract.decode import decode_html

Tool = Callable[[Case, str], Answer]
BEFORE_FILE = Path(__file__).with_name("extraction_before.json")
# The targets on pages with ground truth.
TARGETS = {"title": 0.97, "published_at": 0.95, "authors": 0.85, "body F1": 0.93}


def ours(case: Case, _text: str) -> Answer:
    got = extract(case.url, case.html, {})
    return Answer(got.title, got.published_at, set(got.authors), got.body, got.editor, got.source)


def trafilatura_tool(case: Case, text: str) -> Answer:
    import trafilatura

    doc = trafilatura.bare_extraction(text, url=case.url, with_metadata=True)
    if doc is None:
        return Answer()
    data = doc if isinstance(doc, dict) else doc.as_dict()
    return Answer(
        data.get("title"),
        peer_date(data.get("date")),
        peer_authors(data.get("author")),
        data.get("text") or "",
    )


def gne_tool(case: Case, text: str) -> Answer:
    from gne import GeneralNewsExtractor

    data = GeneralNewsExtractor().extract(text)
    return Answer(
        data.get("title"),
        peer_date(data.get("publish_time")),
        peer_authors(data.get("author")),
        data.get("content") or "",
    )


TOOLS: dict[str, Tool] = {"ours": ours, "trafilatura": trafilatura_tool, "GNE": gne_tool}


@dataclass
class Scores:
    """Per field: page id -> score in [0, 1], for one tool."""

    fields: dict[str, dict[str, float]] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, name: str, case_id: str, value: float | bool) -> None:
        self.fields.setdefault(name, {})[case_id] = float(value)


def score(case: Case, answer: Answer, scores: Scores) -> None:
    if case.title is not None:
        scores.add("title", case.id, norm_title(answer.title) == norm_title(case.title))
    if case.published is not None:
        scores.add("published_at", case.id, date_matches(answer.published, case.published))
        # The page's own offset kept (Beijing and Taipei time are +08:00), never re-expressed in UTC.
        offset = answer.published.utcoffset() if answer.published else None
        scores.add("offset +08:00", case.id, offset == timedelta(hours=8))
        scores.add("published date", case.id, date_matches(answer.published, case.published, 3))
    if case.authors is not None:
        scores.add("authors", case.id, (answer.authors or set()) == case.authors)
        credited = answer.authors or ({answer.editor} if answer.editor else set())
        scores.add("authors or editor", case.id, credited == case.authors)
    if case.body is not None:
        scores.add("body F1", case.id, body_f1(answer.body, case.body))
    if case.must_contain or case.must_not_contain:
        scores.add(
            "body snippets", case.id, snippet_score(answer.body, case.must_contain, case.must_not_contain)
        )
    if case.reference_body is not None:
        scores.add("reference F1", case.id, body_f1(answer.body, case.reference_body))


def run(cases: list[Case]) -> dict[str, Scores]:
    results = {name: Scores() for name in TOOLS}
    for case in cases:
        text = decode_html(case.html, {}).text  # peers get the text we decode: extraction is compared
        for name, tool in TOOLS.items():
            started = time.perf_counter()
            try:
                answer = tool(case, text)
            except Exception as exc:  # a peer failing on a page scores nothing on it, the run goes on
                results[name].errors.append(f"{case.id}: {type(exc).__name__}: {str(exc)[:80]}")
                answer = Answer()
            results[name].seconds += time.perf_counter() - started
            results[name].answers[case.id] = answer
            score(case, answer, results[name])
    return results


ROWS = (
    "title",
    "published_at",
    "published date",
    "offset +08:00",
    "authors",
    "authors or editor",
    "body F1",
    "body snippets",
    "reference F1",
)


def table(results: dict[str, Scores], pages: int) -> str:
    names = list(results)
    lines = [
        "| field | pages | " + " | ".join(names) + " | target |",
        "| --- | ---: | " + " | ".join("---:" for _ in names) + " | ---: |",
    ]
    for row in ROWS:
        per_tool = [results[name].fields.get(row, {}) for name in names]
        if not per_tool[0]:
            continue
        values = [mean(scores.values()) for scores in per_tool]
        best = max(values)
        cells = [f"**{v:.3f}**" if v == best else f"{v:.3f}" for v in values]
        target = f"≥ {TARGETS[row]:.2f}" if row in TARGETS else "—"
        lines.append(f"| {row} | {len(per_tool[0])} | " + " | ".join(cells) + f" | {target} |")
    # No page in a part (the set-aside part of the demo sample alone): no time per page to give.
    seconds = " | ".join(f"{results[n].seconds / pages * 1000:.0f}" if pages else "—" for n in names)
    lines.append(f"| ms per page | {pages} | {seconds} | — |")
    return "\n".join(lines)


def misses(results: dict[str, Scores], cases: list[Case], tool: str = "ours") -> list[str]:
    """Each page a field got wrong; for authors, what the truth and the tool said (and whether the
    truth is the page's 责任编辑 or 来源 as we extracted them)."""
    truth = {case.id: case for case in cases}
    out = []
    for row, scores in results[tool].fields.items():
        for case_id, value in sorted(scores.items()):
            if value >= (0.9 if "F1" in row or "snippets" in row else 1.0):
                continue
            line = f"{tool} {row}: {case_id} {value:.3f}"
            if row == "authors":
                answer = results[tool].answers[case_id]
                wanted = truth[case_id].authors or set()
                line += f"  truth={sorted(wanted)} got={sorted(answer.authors or [])}"
                if wanted and wanted == {answer.editor}:
                    line += "  (the truth is the page's 责任编辑)"
                elif wanted and wanted == {answer.source}:
                    line += "  (the truth is the page's 来源)"
            out.append(line)
    return out


def part(scores: Scores, ids: set[str], pages: int) -> Scores:
    """The scores of some pages only; the time is the whole run's, shared out per page."""
    fields = {name: {i: v for i, v in values.items() if i in ids} for name, values in scores.fields.items()}
    seconds = scores.seconds * len(ids) / pages
    return Scores(fields=fields, answers=scores.answers, errors=scores.errors, seconds=seconds)


def summary(results: dict[str, Scores], cases: list[Case]) -> dict[str, dict[str, float]]:
    """Our mean per field, for every page and for the set-aside part."""
    aside = {c.id for c in cases if held_out(c.id)}
    ours_ = results["ours"]
    out: dict[str, dict[str, float]] = {"all": {}, "set-aside": {}}
    for row, values in ours_.fields.items():
        if values:
            out["all"][row] = round(mean(values.values()), 3)
        kept = [v for i, v in values.items() if i in aside]
        if kept:
            out["set-aside"][row] = round(mean(kept), 3)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__)
    parser.add_argument("--evaldata", type=Path, default=EVALDATA, help="the evaluation data folder")
    parser.add_argument(
        "--misses",
        action="store_true",
        help="list the pages each field got wrong (ours), authors with both answers",
    )
    parser.add_argument("--record-before", action="store_true", help="save our figures as the 'before' ones")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the peers log every page they find hard
    warnings.simplefilter("ignore")
    cases = load_cases(args.evaldata)
    if not args.evaldata.is_dir():
        print(f"note: {args.evaldata} not found; only the demo sample is measured", file=sys.stderr)
    results = run(cases)
    print(f"Extraction accuracy on {len(cases)} pages ({args.evaldata.name} + the demo sample)\n")
    print(METHOD + "\n")
    print(table(results, len(cases)))
    aside = [case for case in cases if held_out(case.id)]
    print(
        f"\nThe set-aside part: the {len(aside)} pages whose id's SHA-1 is divisible by 5 (not looked at in"
        " this round; earlier rounds saw every page, so it is not unseen text)\n"
    )
    print(
        table(
            {name: part(scores, {c.id for c in aside}, len(cases)) for name, scores in results.items()},
            len(aside),
        )
    )
    if args.record_before:
        BEFORE_FILE.write_text(json.dumps(summary(results, cases), indent=1) + "\n", encoding="utf-8")
    elif BEFORE_FILE.exists():
        before = json.loads(BEFORE_FILE.read_text(encoding="utf-8"))
        now = summary(results, cases)
        print(f"\nours, before this round ({before.get('measured', '')}) → now")
        for row in ROWS:
            for slice_ in ("all", "set-aside"):
                old_value, new_value = before[slice_].get(row), now[slice_].get(row)
                if old_value is not None and new_value is not None:
                    print(f"  {row:18} {slice_:9} {old_value:.3f} → {new_value:.3f}")
    for name, scores in results.items():
        for error in scores.errors:
            print(f"error in {name}: {error}")
    if args.misses:
        print("\n".join(["", *misses(results, cases)]))
    for row in ROWS:
        ours_, peer = results["ours"].fields.get(row), results.get("trafilatura")
        if ours_ and row in TARGETS:
            peer_scores = peer.fields.get(row) if peer else None
            record(
                "extraction",
                f"{row}, {len(ours_)} pages",
                mean(ours_.values()),
                "",
                baseline=mean(peer_scores.values()) if peer_scores else None,
                baseline_name="trafilatura",
                goal=at_least(TARGETS[row], on="value"),
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
