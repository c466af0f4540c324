"""Benchmark how fast ``zgc-geo`` starts: ``--help`` in fresh processes, beside a bare interpreter.

``zgc-geo --help`` builds the parser from the argument definitions alone and imports no command's
handler (see ``zgc_geo/cli/command.py``); this script times it against ``python -c pass``, the floor any
Python command pays, as the median wall time of ``--repeat`` fresh processes each.

    python benchmarks/bench_cli_startup.py              # median of 5
    python benchmarks/bench_cli_startup.py --repeat 11

Target (issue #14): ``zgc-geo --help`` in ≤ 0.5 s on the project's 2-core machine; the exit status is 1
when it is missed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

TARGET_S: Final = 0.5


def zgc_geo_script() -> str:
    """The ``zgc-geo`` console script beside this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("zgc-geo")
    found = str(beside) if beside.exists() else shutil.which("zgc-geo")
    if found is None:
        sys.exit("zgc-geo is not installed: pip install -e . first")
    return found


def median_wall_s(argv: list[str], repeat: int) -> float:
    """The median wall time of ``repeat`` runs of ``argv``, each a fresh process, output discarded."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    """Print the table and return 0 when ``zgc-geo --help`` meets the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per command (default 5)")
    args = parser.parse_args()
    script = zgc_geo_script()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "zgc-geo --help": [script, "--help"],
        "zgc-geo stock --help": [script, "stock", "--help"],
    }
    results = {name: median_wall_s(argv, args.repeat) for name, argv in commands.items()}
    floor = results["python -c pass"]
    print(f"median wall time of {args.repeat} fresh processes (seconds)\n")
    print("| command | median s | above python -c pass |")
    print("|---|---:|---:|")
    for name, seconds in results.items():
        print(f"| {name} | {seconds:.3f} | {seconds - floor:+.3f} |")
    met = results["zgc-geo --help"] <= TARGET_S
    print(f"\nzgc-geo --help ≤ {TARGET_S} s: {'PASS' if met else 'FAIL'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
