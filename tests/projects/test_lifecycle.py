"""Life-cycle delays against planned dates and the norms of layers/project_rules.toml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from zgc_geo.errors import RulesError
from zgc_geo.projects.lifecycle import LATE, NORM, OVERDUE, delays, load_norms
from zgc_geo.workspace.projects import ProjectRecord, StageDates


def _project(**stages: tuple[str | None, str | None]) -> ProjectRecord:
    return ProjectRecord("p", stages={k: StageDates(*v) for k, v in stages.items()}, version=1)


def test_the_shipped_norms_cite_their_sources() -> None:
    norms = load_norms()
    assert norms["construction_started"].after == "land_supplied"
    assert (
        norms["construction_started"].months == 12
        and "闲置土地处置办法" in norms["construction_started"].source
    )
    assert all(n.source for n in norms.values())


def test_overdue_late_and_norm_delays() -> None:
    norms = load_norms()
    project = _project(
        signed=("2025-01-01", "2025-01-20"),  # late by 19 days
        land_supplied=(None, "2025-03-01"),
        construction_started=("2026-01-01", None),  # overdue; and the one-year norm passes on 2026-03-01
    )
    found = delays(project, norms, dt.date(2026, 4, 1))
    assert [(d.stage, d.kind, d.days) for d in found] == [
        ("signed", LATE, 19),
        ("construction_started", OVERDUE, 90),
        ("construction_started", NORM, 31),
    ]
    assert delays(project, norms, dt.date(2025, 12, 31)) == [found[0]]  # nothing due yet


def test_a_stage_reached_within_its_norm_is_not_flagged() -> None:
    project = _project(land_supplied=(None, "2024-02-29"), construction_started=(None, "2025-02-28"))
    assert delays(project, load_norms(), dt.date(2026, 1, 1)) == []
    late = _project(land_supplied=(None, "2024-02-29"), construction_started=(None, "2025-03-01"))
    assert [(d.kind, d.days) for d in delays(late, load_norms(), dt.date(2026, 1, 1))] == [(NORM, 1)]


def test_bad_norms_are_refused(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[lifecycle.completed]\nafter = "production_started"\nmonths = 6\nsource = "x"\n', "utf-8"
    )
    with pytest.raises(RulesError, match="one before it"):
        load_norms(rules)
    rules.write_text('[lifecycle.completed]\nafter = "signed"\nmonths = 6\n', "utf-8")
    with pytest.raises(RulesError, match="no source"):
        load_norms(rules)
