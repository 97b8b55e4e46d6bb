"""Run the benchmarks: `python -m bench [extraction nlp nlp_speed chain_speed reprints search]` (all when none is named).

Each prints its own table with the baseline it measured in the same run.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = (
    "extraction",
    "nlp",
    "nlp_speed",
    "chain_speed",
    "e2e_speed",
    "reprints",
    "reprocess",
    "search",
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
    for name in names:
        print(f"\n=== bench.{name} ===", flush=True)
        worst = max(worst, int(importlib.import_module(f"bench.{name}").main([]) or 0))
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
