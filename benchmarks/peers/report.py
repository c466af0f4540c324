"""Summaries, ratios and tables of ``make bench-peers``: pure functions, no timing, no heavy imports.

Kept apart from the driver (``run.py``) so the rules a reader relies on are unit-tested
(``tests/test_bench_peers.py``): a peer that was not installed, failed or timed out is reported with
its reason and never with a number; a ratio exists only when both zgc-geo and the peer finished every
run; medians, minima and maxima are of whole-process wall-clock times; memory is the highest peak
RSS of all runs (the worst run, not the median one).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

MIB: Final = 2**20
OK: Final = "ok"
SKIPPED: Final = "skipped"
FAILED: Final = "failed"
TIMEOUT: Final = "timeout"
NUMBERS: Final = ("median_s", "min_s", "max_s", "peak_bytes", "runs_s")
START: Final = "<!-- bench-peers:start (written by benchmarks/peers/run.py; do not edit by hand) -->"
END: Final = "<!-- bench-peers:end -->"


def skipped(reason: str) -> dict[str, Any]:
    """An entry for a peer that is not installed (or cannot run here): a reason, no figures."""
    return {"status": SKIPPED, "reason": reason}


def summarise(runs: Sequence[Mapping[str, Any]], timeout_s: float | None = None) -> dict[str, Any]:
    """Median, min and max seconds and the highest peak RSS of ``runs``; no figures unless all succeeded.

    Each run is the launcher's record: ``seconds``, ``peak_bytes``, ``code`` (exit status) and
    optionally ``timed_out`` and ``stderr``. One failed or timed-out run makes the whole entry
    failed/timed out: a median over the runs that happened to finish would flatter the peer.
    """
    if not runs:
        return {"status": FAILED, "reason": "no run was made"}
    for run in runs:
        if run.get("timed_out"):
            limit = f" {timeout_s:g} s" if timeout_s else ""
            return {"status": TIMEOUT, "reason": f"did not finish within the{limit} time limit"}
    for run in runs:
        if run.get("code", 0) != 0:
            tail = [line for line in str(run.get("stderr", "")).splitlines() if line.strip()][-3:]
            detail = " / ".join(tail) if tail else "no error output"
            return {"status": FAILED, "reason": f"exit status {run['code']}: {detail}"}
    seconds = [float(run["seconds"]) for run in runs]
    return {
        "status": OK,
        "median_s": statistics.median(seconds),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "peak_bytes": max(int(run["peak_bytes"]) for run in runs),
        "runs_s": seconds,
    }


def ratio(peer: Mapping[str, Any], ours: Mapping[str, Any]) -> float | None:
    """Peer's median time ÷ zgc-geo's: > 1 means zgc-geo is faster. None unless both finished."""
    if peer.get("status") != OK or ours.get("status") != OK:
        return None
    if not ours["median_s"] > 0:
        return None
    return float(peer["median_s"]) / float(ours["median_s"])


def check(results: Mapping[str, Any]) -> None:
    """Raise ValueError when an entry that did not finish carries a figure (a faked result)."""
    for task in results["tasks"]:
        for entry in task["entries"]:
            if entry["status"] != OK:
                shown = [key for key in (*NUMBERS, "ratio") if entry.get(key) is not None]
                if shown:
                    raise ValueError(
                        f"{task['task']} {task['size']} {entry['tool']}: {entry['status']} "
                        f"but has {', '.join(shown)}"
                    )
                if not entry.get("reason"):
                    raise ValueError(
                        f"{task['task']} {task['size']} {entry['tool']}: {entry['status']} without a reason"
                    )
            elif any(entry.get(key) is None for key in NUMBERS):
                raise ValueError(f"{task['task']} {task['size']} {entry['tool']}: ok without all figures")


def add_ratios(task: dict[str, Any]) -> None:
    """Set each entry's ``ratio`` to zgc-geo's entry of the same task (the first entry)."""
    ours = task["entries"][0]
    for entry in task["entries"]:
        entry["ratio"] = ratio(entry, ours)


def _seconds(value: float) -> str:
    return f"{value:.2f}" if value < 100 else f"{value:,.0f}"


def _ratio_text(entry: Mapping[str, Any], first: bool) -> str:
    if first:
        return "1 (reference)" if entry["status"] == OK else "—"
    value = entry.get("ratio")
    return "—" if value is None else f"{value:.2f}×"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_rows(tasks: Iterable[Mapping[str, Any]]) -> list[str]:
    """Markdown rows: one per tool and task; a tool that did not finish shows its status and reason."""
    rows = [
        "| task | plots | tool | median s | min–max s | peak MiB | peer ÷ zgc-geo time | note |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for task in tasks:
        for number, entry in enumerate(task["entries"]):
            label = entry["label"] + (" *(subset)*" if entry.get("subset") else "")
            if entry["status"] == OK:
                figures = (
                    _seconds(entry["median_s"]),
                    f"{_seconds(entry['min_s'])}–{_seconds(entry['max_s'])}",
                    f"{entry['peak_bytes'] / MIB:,.0f}",
                )
                note = entry.get("note", "")
            else:
                figures = (entry["status"], "—", "—")
                note = "; ".join(filter(None, [entry["reason"], entry.get("note", "")]))
            cells = (task["title"], task["size"], label, *figures, _ratio_text(entry, number == 0), note)
            rows.append("| " + " | ".join(_cell(str(c)) for c in cells) + " |")
    return rows


def _header(results: Mapping[str, Any]) -> list[str]:
    machine = results["machine"]
    versions = ", ".join(f"{name} {version}" for name, version in results["versions"].items())
    return [
        f"Machine: {machine['cpus']} CPUs ({machine['cpu']}), {machine['memory_gib']:.1f} GiB RAM, "
        f"{machine['system']}; load average {machine['load_before']:.1f} when the run started. "
        f"Date: {results['date']}. Runs per figure: {results['repeat']} (whole processes; median, min–max "
        "wall-clock seconds; peak = highest resident set size of any run, the tool's processes only).",
        "",
        f"Versions: {versions}.",
    ]


def markdown(results: Mapping[str, Any]) -> str:
    """The whole ``peers.md``: header, table, legend."""
    lines = ["# zgc-geo beside its peers (`make bench-peers`)", ""]
    if not results.get("quiet_machine"):
        lines += [
            f"**Not measured on a quiet machine** (load average {results['machine']['load_before']:.1f} at "
            "the start, no `--quiet-machine`): these figures check the harness end to end; they are not "
            "results to quote.",
            "",
        ]
    lines += [*_header(results), ""]
    lines += table_rows(results["tasks"])
    lines += ["", *LEGEND]
    return "\n".join(lines) + "\n"


LEGEND: Final = (
    "A ratio above 1 means the peer took longer than zgc-geo on the same data (each row's note says what it "
    "computes). "
    "*(subset)* marks a figure that is not a whole command a user runs (a library call in a small "
    "script). *skipped* means the peer is not installed here (`sudo tools/install_peers.sh` installs "
    "it); *failed* and *timeout* carry the reason; none of them is given a number. PostGIS's load and "
    "query are separate rows; the database server's own memory is not in their peak.",
)


def readme_block(results: Mapping[str, Any] | None) -> str:
    """The README section between the markers: figures only from a run declared on a quiet machine."""
    lines = [START]
    how = (
        "`make bench-peers` (all sizes: 10k, 100k, 1M plots; `make bench-peers SIZES=10k` for one) times "
        "whole commands — `zgc-geo stock`, `zgc-geo site` — beside GDAL's `ogr2ogr` and raster tools, QGIS's "
        "`qgis_process`, PostGIS, a plain GeoPandas script, exactextract and rasterstats on the same seeded "
        "synthetic data, and writes `benchmarks/results/peers.json` and `peers.md`. "
        "`sudo tools/install_peers.sh` installs the peers (CI does not); a peer that is missing is listed "
        "as skipped, never given a number."
    )
    lines += ["", how, ""]
    if results is None or not results.get("quiet_machine"):
        lines.append(
            "**Not yet measured on a quiet machine**: no peer figures are published here yet. "
            + (
                f"(The last run, {results['date']}, load average {results['machine']['load_before']:.1f}, "
                "only checked the harness end to end; its figures are in `benchmarks/results/peers.md`.)"
                if results is not None
                else ""
            )
        )
    else:
        lines += [*_header(results), "", *table_rows(results["tasks"]), "", *LEGEND]
    lines += ["", END]
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str:
    """``text`` with the marker-delimited block replaced (appended as a new section when absent)."""
    pattern = re.compile(re.escape(START.split(" (")[0]) + r".*?" + re.escape(END), re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _match: block, text, count=1)
    return text.rstrip("\n") + "\n\n## Beside GDAL, QGIS and PostGIS\n\n" + block + "\n"
