"""Run the benchmarks: `python -m bench [NAME ...]` (all when none is named; `make bench` runs this).

Each benchmark prints its own details as it goes and records its figures (bench/results.py); at the
end they are written to bench/results.json and printed as one table with the machine's cores and
memory. A benchmark that fails is reported and the others still run (the exit code says so).
results.json is written after every benchmark, and a run stopped part-way (Ctrl-C, SIGTERM) prints
the table of the benchmarks that finished and names the ones it did not reach.
"""

from __future__ import annotations

import importlib
import signal
import sys
import time
import traceback

from bench import results

BENCHMARKS = (
    "crawl",
    "latency",
    "nlp_speed",
    "chain_speed",
    "e2e_speed",
    "reprints_speed",
    "replicas_speed",
    "search",
    "export",
    "extraction",
    "nlp",
    "reprints",
    "reprocess",
    "alerts",
)


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(
            f"bench: unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr
        )
        return 2
    worst = 0
    failed: list[str] = []
    done: list[str] = []
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        for name in names:
            print(f"\n=== bench.{name} ===", flush=True)
            started = time.monotonic()
            try:
                worst = max(worst, int(importlib.import_module(f"bench.{name}").main([]) or 0))
            except Exception:  # one broken benchmark must not cost the figures of the others
                traceback.print_exc()
                failed.append(name)
                worst = max(worst, 1)
            print(f"=== bench.{name}: {time.monotonic() - started:.0f} s ===", flush=True)
            done.append(name)
            results.save(done)  # a run stopped later keeps these figures
    except KeyboardInterrupt:
        missing = [n for n in names if n not in done]
        print(
            f"\nstopped during bench.{missing[0]}; not run: {', '.join(missing)}", file=sys.stderr, flush=True
        )
        worst = 130
    report = results.save(done)
    print("\n" + results.table(report))
    print(f"\nwritten to {results.RESULTS_FILE}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return worst


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
