"""Run the benchmarks: ``python -m bench [name ...]`` (names or parts of names filter).

Prints one summary line per figure on stdout, details on stderr. Exits 0 even when a target
is missed (the line then ends in ``MISSED``): timings depend on the machine, so the benchmarks
inform and never fail a build.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from bench import snapshot, submit_http, tablet_page, validate
from bench.common import Result

BENCHMARKS: dict[str, Callable[[], list[Result]]] = {
    validate.NAME: validate.run,
    tablet_page.NAME: tablet_page.run,
    submit_http.NAME: submit_http.run,
    snapshot.NAME: snapshot.run,
}


def main(argv: list[str]) -> int:
    """Run the selected benchmarks and print their summary lines."""
    selected = [name for name in BENCHMARKS if not argv or any(part in name for part in argv)]
    if not selected:
        known = ", ".join(BENCHMARKS)
        print(f"no benchmark matches {' '.join(argv)}; known: {known}", file=sys.stderr)  # noqa: T201
        return 2
    started = time.perf_counter()
    missed = 0
    for name in selected:
        print(f"running {name} ...", file=sys.stderr, flush=True)  # noqa: T201
        for result in BENCHMARKS[name]():
            print(result.line(), flush=True)  # noqa: T201
            missed += not result.met
    elapsed = time.perf_counter() - started
    print(  # noqa: T201
        f"{len(selected)} benchmark(s) in {elapsed:.0f} s, {missed} target(s) missed",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
