"""Is a project on time? Delays along 签约 → 供地 → 开工 → 竣工 → 投产 → 达产 (§五(二)2: 全生命周期监测跟踪).

Three kinds, each with what it is measured against:
- ``overdue``: a stage's planned date has passed and it has no actual date;
- ``late``: a stage was reached after its planned date;
- ``norm``: a stage came (or, not reached, is still due) longer after the stage before it than the
  norm of ``[lifecycle.<stage>]`` in ``layers/project_rules.toml`` allows (e.g. construction one year
  after land supply, after 《闲置土地处置办法》第二条). Each norm names its source.
The reference date is passed in (today on the page), so a result never depends on the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from zgc_geo.errors import RulesError
from zgc_geo.projects.rules_file import read_project_rules
from zgc_geo.workspace.projects import STAGES, ProjectRecord

OVERDUE, LATE, NORM = "overdue", "late", "norm"
DELAY_KINDS: Final = (OVERDUE, LATE, NORM)


@dataclass(frozen=True)
class Norm:
    """At most ``months`` from stage ``after`` to this ``stage``, and where that number comes from."""

    stage: str
    after: str
    months: int
    source: str


@dataclass(frozen=True)
class Delay:
    """One delay of one stage: its kind, by how many days, and against what (a date or a norm)."""

    stage: str
    kind: str
    days: int
    basis: str


def load_norms(path: Path | None = None) -> dict[str, Norm]:
    """The ``[lifecycle.*]`` norms of ``path`` (default the shipped rules), by stage."""
    table, name = read_project_rules(path)
    norms: dict[str, Norm] = {}
    for stage, entry in table.get("lifecycle", {}).items():
        after, months, source = entry.get("after"), entry.get("months"), str(entry.get("source", "")).strip()
        if stage not in STAGES or after not in STAGES or STAGES.index(after) >= STAGES.index(stage):
            raise RulesError(
                f"{name}: [lifecycle.{stage}] must name a stage ({', '.join(STAGES)}) and, in after, "
                "one before it"
            )
        if not isinstance(months, int) or isinstance(months, bool) or months <= 0:
            raise RulesError(f"{name}: [lifecycle.{stage}] months must be a whole number > 0, not {months!r}")
        if not source:
            raise RulesError(f"{name}: [lifecycle.{stage}] has no source; say where the norm comes from")
        norms[stage] = Norm(stage, after, months, source)
    return norms


def delays(project: ProjectRecord, norms: dict[str, Norm], today: dt.date) -> list[Delay]:
    """Every delay of ``project`` as of ``today``, in stage order."""
    found: list[Delay] = []
    for stage in STAGES:
        dates = project.stages.get(stage)
        planned = _day(dates.planned) if dates else None
        actual = _day(dates.actual) if dates else None
        if planned is not None and actual is None and today > planned:
            found.append(Delay(stage, OVERDUE, (today - planned).days, f"planned {planned.isoformat()}"))
        if planned is not None and actual is not None and actual > planned:
            found.append(Delay(stage, LATE, (actual - planned).days, f"planned {planned.isoformat()}"))
        norm = norms.get(stage)
        before = project.stages.get(norm.after) if norm else None
        start = _day(before.actual) if before else None
        if norm is None or start is None:
            continue
        due = _add_months(start, norm.months)
        end = actual if actual is not None else today
        if end > due:
            found.append(Delay(stage, NORM, (end - due).days, norm.source))
    return found


def _day(text: str | None) -> dt.date | None:
    return None if not text else dt.date.fromisoformat(text)


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, on the same day of the month where it exists (else the month's last)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")
