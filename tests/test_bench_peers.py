"""``make bench-peers`` (benchmarks/peers/): a peer that did not run is never given a number.

The table, ratio and skip rules of ``benchmarks/peers/report.py``, and the driver's launcher on tiny real
commands (a missing tool, a failing one, one that runs past its time limit, one that succeeds).
"""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest

from benchmarks.peers import report
from benchmarks.peers import run as peers_run


def _ok(seconds: list[float], peak: int = 100 * report.MIB) -> list[dict[str, Any]]:
    return [
        {"seconds": s, "peak_bytes": peak - i, "code": 0, "timed_out": False} for i, s in enumerate(seconds)
    ]


def _results(entries: list[dict[str, Any]], quiet: bool = False) -> dict[str, Any]:
    task = {"task": "stock", "title": "land stock", "size": "10k", "entries": entries}
    report.add_ratios(task)
    return {
        "date": "2026-12-06 21:00 UTC",
        "machine": {"cpus": 2, "cpu": "test CPU", "memory_gib": 8.0, "load_before": 0.1, "system": "Linux"},
        "versions": {"zgc-geo": "0.1.0", "GDAL tools": "GDAL 3.6.2"},
        "repeat": 3,
        "quiet_machine": quiet,
        "tasks": [task],
    }


def _entry(tool: str, summary: dict[str, Any]) -> dict[str, Any]:
    return {"tool": tool, "label": tool, "subset": False, "note": ""} | summary


def test_summary_is_median_min_max_and_the_worst_peak() -> None:
    summary = report.summarise(_ok([3.0, 1.0, 2.0, 10.0, 4.0]))
    assert summary["status"] == report.OK
    assert (summary["median_s"], summary["min_s"], summary["max_s"]) == (3.0, 1.0, 10.0)
    assert summary["peak_bytes"] == 100 * report.MIB  # the highest of all runs, not the median run's


@pytest.mark.parametrize(
    ("bad", "status"),
    [({"code": 1, "stderr": "ERROR 1: no such layer"}, report.FAILED), ({"timed_out": True}, report.TIMEOUT)],
)
def test_one_bad_run_leaves_no_figures(bad: dict[str, Any], status: str) -> None:
    runs = _ok([1.0, 1.1])
    runs.append(runs[0] | {"code": -9 if status == report.TIMEOUT else 0} | bad)
    summary = report.summarise(runs, timeout_s=60)
    assert summary["status"] == status
    assert not set(report.NUMBERS) & set(summary)
    assert "no such layer" in summary["reason"] if status == report.FAILED else "60 s" in summary["reason"]


def test_a_skipped_peer_is_listed_with_its_reason_and_no_number() -> None:
    results = _results(
        [
            _entry("zgc-geo", report.summarise(_ok([2.0, 2.0, 2.0]))),
            _entry("qgis", report.skipped("not installed: qgis_process (sudo tools/install_peers.sh)")),
            _entry("ogr2ogr", report.summarise(_ok([4.0, 5.0, 6.0]))),
        ]
    )
    report.check(results)  # passes: the skipped entry carries no figure
    entries = results["tasks"][0]["entries"]
    assert entries[1]["ratio"] is None
    assert entries[2]["ratio"] == pytest.approx(2.5)
    rows = {row.split(" | ")[2]: row for row in report.table_rows(results["tasks"])[2:]}
    skipped = rows["qgis"].split(" | ")
    assert skipped[3:7] == ["skipped", "—", "—", "—"]
    assert "not installed: qgis_process" in rows["qgis"]
    assert not re.search(r"\d", " ".join(skipped[3:7]))
    assert rows["ogr2ogr"].split(" | ")[3:7] == ["5.00", "4.00–6.00", "100", "2.50×"]
    assert rows["zgc-geo"].split(" | ")[6] == "1 (reference)"


def test_a_faked_number_for_a_peer_that_did_not_run_is_refused() -> None:
    faked = _entry("qgis", report.skipped("not installed: qgis_process") | {"median_s": 1.0})
    with pytest.raises(ValueError, match="qgis: skipped but has median_s"):
        report.check(_results([_entry("zgc-geo", report.summarise(_ok([1.0, 1.0, 1.0]))), faked]))
    no_reason = _entry("qgis", {"status": report.FAILED})
    with pytest.raises(ValueError, match="without a reason"):
        report.check(_results([_entry("zgc-geo", report.summarise(_ok([1.0, 1.0, 1.0]))), no_reason]))


def test_no_ratio_when_zgc_geo_itself_did_not_finish() -> None:
    results = _results(
        [
            _entry(
                "zgc-geo", report.summarise([{"seconds": 1, "peak_bytes": 1, "code": 2, "stderr": "boom"}])
            ),
            _entry("ogr2ogr", report.summarise(_ok([4.0, 5.0, 6.0]))),
        ]
    )
    report.check(results)
    assert [e["ratio"] for e in results["tasks"][0]["entries"]] == [None, None]
    assert report.table_rows(results["tasks"])[2].endswith(" | failed | — | — | — | exit status 2: boom |")


def test_readme_block_has_figures_only_from_a_quiet_machine() -> None:
    entries = [
        _entry("zgc-geo", report.summarise(_ok([2.0, 2.0, 2.0]))),
        _entry("ogr2ogr", report.summarise(_ok([4.0, 5.0, 6.0]))),
    ]
    loaded = report.readme_block(_results([dict(e) for e in entries]))
    assert "Not yet measured on a quiet machine" in loaded
    assert "Not measured on a quiet machine" in report.markdown(_results([dict(e) for e in entries]))
    assert "quiet machine" not in report.markdown(_results([dict(e) for e in entries], quiet=True))
    assert "| land stock |" not in loaded
    quiet = report.readme_block(_results([dict(e) for e in entries], quiet=True))
    assert "Not yet measured" not in quiet
    assert "| land stock | 10k | ogr2ogr | 5.00 |" in quiet
    assert "2026-12-06" in quiet and "GDAL 3.6.2" in quiet and "test CPU" in quiet

    readme = "# Title\n\nIntro.\n"
    once = report.replace_block(readme, loaded)
    assert once.startswith(readme.rstrip("\n")) and once.count(report.END) == 1
    twice = report.replace_block(once + "\n## Later section\n", quiet)
    assert twice.count(report.END) == 1 and "Later section" in twice and "Not yet measured" not in twice


def test_launcher_runs_real_commands_and_reports_what_happened(tmp_path: Any) -> None:
    absent = peers_run.Peer("nope", "nope", lambda: [["zgc-no-such-tool"]], needs=("zgc-no-such-tool",))
    entry = peers_run.run_peer(absent, repeat=3, timeout_s=30)
    assert entry["status"] == report.SKIPPED and "zgc-no-such-tool" in entry["reason"]
    assert not set(report.NUMBERS) & set(entry)

    failing = peers_run.Peer(
        "fails", "fails", lambda: [[sys.executable, "-c", "import sys; sys.exit('bad input')"]]
    )
    entry = peers_run.run_peer(failing, repeat=3, timeout_s=30)
    assert entry["status"] == report.FAILED and "bad input" in entry["reason"]

    slow = peers_run.Peer("slow", "slow", lambda: [[sys.executable, "-c", "import time; time.sleep(30)"]])
    entry = peers_run.run_peer(slow, repeat=3, timeout_s=0.5)
    assert entry["status"] == report.TIMEOUT and not set(report.NUMBERS) & set(entry)

    out = tmp_path / "made.txt"
    fine = peers_run.Peer(
        "fine",
        "fine",
        lambda: [[sys.executable, "-c", f"open({str(out)!r}, 'w').write('x' * 30_000_000)"]],
        outputs=(out,),
    )
    entry = peers_run.run_peer(fine, repeat=3, timeout_s=30)
    assert entry["status"] == report.OK and len(entry["runs_s"]) == 3
    assert entry["min_s"] <= entry["median_s"] <= entry["max_s"]
    assert entry["peak_bytes"] > 30_000_000  # the child's own RSS (the 30 MB string), from wait4
