"""Benchmark the writing side of ``zgc-geo stock``: the analysis' per-plot reasons and the GeoPackage.

For each size, the synthetic plots of ``bench_stock.py`` (same generator and seed) are written to a
temporary GeoPackage, imported and analysed as the command does; then, in the same process and after
the imports, the script times ``analyse_stock`` (and the ``plot_metrics`` part of it, which measures
geometry), ``worded_frame`` (the language-neutral reasons as Chinese text) and ``write_layer`` (worded
text, reprojection, lists flattened, the GeoPackage written with the summary and parameters tables).
Each figure is the best of ``--repeat`` runs, in seconds.

    python benchmarks/bench_stock_write.py                  # 10k and 100k
    python benchmarks/bench_stock_write.py --sizes 100k --repeat 5

Reference (#14, 2-core VM under load, best of 3 at 100k): analyse_stock without plot_metrics
0.67 s → 0.22 s, worded_frame 2.94 s → 0.09 s, write_layer 4.45 s → 0.81 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_stock import _label, _size, make_plots

from zgc_geo.cli.importing import local_file_options
from zgc_geo.export.layers import write_layer
from zgc_geo.export.worded import worded_frame
from zgc_geo.importing.pipeline import import_file
from zgc_geo.plan_data import plan_from_catalogue
from zgc_geo.stock import analysis


def _best(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """The shortest of ``repeat`` runs and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench(size: int, folder: Path, repeat: int) -> dict[str, float]:
    """Seconds per stage for ``size`` synthetic plots."""
    source = folder / f"plots_{size}.gpkg"
    make_plots(size, source)
    plots = import_file(source, local_file_options("plots")).frame
    plan = plan_from_catalogue()
    metrics: list[float] = []
    measure = analysis.plot_metrics

    def timed_metrics(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = measure(*args, **kwargs)
        metrics.append(time.perf_counter() - start)
        return result

    analysis.plot_metrics = timed_metrics  # type: ignore[assignment]
    try:
        analysed_s, result = _best(repeat, lambda: analysis.analyse_stock(plots, plan))
    finally:
        analysis.plot_metrics = measure  # type: ignore[assignment]
    tables = {"per_park_summary": result.summary, "parameters": result.parameters}
    worded_s, _ = _best(repeat, lambda: worded_frame(result.plots, "zh"))
    written_s, _ = _best(repeat, lambda: write_layer(result.plots, folder / "out.gpkg", tables=tables))
    return {
        "analyse_stock": analysed_s,
        "  of it plot_metrics": min(metrics),
        "worded_frame": worded_s,
        "write_layer (worded_frame included)": written_s,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated plot counts (10k, 100k, 1M)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per stage; the best is reported")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="zgc-bench-write-") as folder:
        for size in (_size(text) for text in args.sizes.split(",")):
            for stage, seconds in bench(size, Path(folder), args.repeat).items():
                print(f"{_label(size):>5}  {stage:<38} {seconds:7.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
