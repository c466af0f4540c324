"""The project register (§五(二)2) kept in the workspace's audit log: every change is an audit row.

Why in the log rather than in tables of its own: the log is already append-only, hash-chained,
copied with the workspace between backends and verified, and both backends write it through one
code path (:mod:`zgc_geo.workspace.audited`). A project is the replay of its rows: the rows whose
``inventory`` is :data:`PROJECT_SCOPE` and whose ``plot_id`` is the project's id, in log order.
Nothing can change a project without leaving its row, and a workspace's register needs no schema
change on either backend.

Rows: ``project`` sets a field (``field`` the field, ``new_value`` its text); ``review`` records a
member department's opinion (``field`` ``review:<department>``, ``new_value`` JSON of date, opinion
and conditions); ``stage`` a life-cycle stage's dates (``field`` ``stage:<stage>``, ``new_value``
JSON of planned and actual). ``version`` counts the project's changes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from zgc_geo.errors import PROJECT_REGISTER, ConcurrentEditError, OptionError, WorkspaceError
from zgc_geo.workspace.store import utc_now

#: The audit ``inventory`` of project rows (inventory names are slugs: it can never be one).
PROJECT_SCOPE: Final = PROJECT_REGISTER
PROJECT_ACTIONS: Final = ("project", "review", "stage")
#: The register's fields: who, what industry, where (a point, or a workspace plot), how much.
TEXT_FIELDS: Final = ("name", "enterprise", "industry_code", "cluster_id", "park_id", "inventory", "plot_id")
NUMBER_FIELDS: Final = (
    "lon",
    "lat",
    "land_area_mu",
    "investment_wan",
    "jobs",
    "output_wan",
    "tax_wan",
    "far",
)
PROJECT_FIELDS: Final = (*TEXT_FIELDS, *NUMBER_FIELDS)
#: The life cycle, in order (签约 → 供地 → 开工 → 竣工 → 投产 → 达产).
STAGES: Final = (
    "signed", "land_supplied", "construction_started", "completed", "production_started", "full_production",
)  # fmt: skip
STAGE_ZH: Final = dict(zip(STAGES, ("签约", "供地", "开工", "竣工", "投产", "达产"), strict=True))
#: The stage whose actual date marks the project's plot as revitalised (已盘活).
PRODUCTION: Final = "production_started"
#: A member department's opinion in the joint review (供地联审).
OPINIONS: Final = ("approve", "approve_with_conditions", "reject")
OPINION_ZH: Final = dict(zip(OPINIONS, ("同意", "有条件同意", "不同意"), strict=True))
_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Review:
    """One department's opinion: when it was given, what, on which conditions; who recorded it, when."""

    department: str
    date: str
    opinion: str
    conditions: str
    recorded_by: str
    recorded_at: str


@dataclass(frozen=True)
class StageDates:
    """A stage's planned and actual dates (ISO ``YYYY-MM-DD``), either may be unknown."""

    planned: str | None = None
    actual: str | None = None


@dataclass(frozen=True)
class ProjectRecord:
    """A project as its rows leave it; ``version`` 0 means it does not exist yet."""

    project_id: str
    fields: Mapping[str, str | None] = field(default_factory=dict)
    reviews: Mapping[str, Review] = field(default_factory=dict)
    stages: Mapping[str, StageDates] = field(default_factory=dict)
    version: int = 0
    created_at: str | None = None
    created_by: str | None = None
    updated_at: str | None = None
    updated_by: str | None = None

    def value(self, name: str) -> str | None:
        """A field's text (None where unset)."""
        return self.fields.get(name)

    def number(self, name: str) -> float | None:
        """A numeric field as a float (None where unset)."""
        text = self.fields.get(name)
        return None if text is None else float(text)

    @property
    def park_id(self) -> str | None:
        """The park the project stands in, for rights and the portfolio."""
        return self.fields.get("park_id")

    @property
    def stage(self) -> str | None:
        """The furthest stage with an actual date (None before signing)."""
        reached = [s for s in STAGES if s in self.stages and self.stages[s].actual]
        return reached[-1] if reached else None


def new_project_id() -> str:
    """A fresh project id (``p-`` and 10 hex digits): unique without asking the workspace."""
    return "p-" + uuid.uuid4().hex[:10]


def check_project_id(project_id: str) -> str:
    """``project_id`` if usable: 1–64 letters, digits, ``_``, ``.`` or ``-`` (it is the rows' plot_id)."""
    if not isinstance(project_id, str) or not _ID.fullmatch(project_id):
        raise OptionError(
            f"project id {project_id!r} is not valid: use 1–64 letters, digits, _, . or - (e.g. p-3f9a21c0b4)"
        )
    return project_id


def check_fields(changes: Mapping[str, object]) -> dict[str, str | None]:
    """The changes as the rows store them: known fields only, numbers as their shortest text, empty → None."""
    unknown = sorted(set(changes) - set(PROJECT_FIELDS))
    if unknown:
        raise OptionError(
            f"unknown project field(s) {', '.join(unknown)}; valid: {', '.join(PROJECT_FIELDS)}"
        )
    cleaned: dict[str, str | None] = {}
    for name, value in changes.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            cleaned[name] = None
        elif name in NUMBER_FIELDS:
            cleaned[name] = _number_text(name, value)
        else:
            cleaned[name] = str(value).strip()
    return cleaned


def _number_text(name: str, value: object) -> str:
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        raise OptionError(f"project field {name}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise OptionError(f"project field {name}: {value!r} is not a finite number")
    return repr(number)


def check_date(value: str | None, what: str) -> str | None:
    """An ISO date (``YYYY-MM-DD``) or None."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        dt.date.fromisoformat(text)
    except ValueError:
        raise OptionError(f"{what}: {value!r} is not a date; write YYYY-MM-DD (e.g. 2026-03-31)") from None
    return text


def replay_projects(rows: Iterable[Sequence[Any]]) -> dict[str, ProjectRecord]:
    """Every project the rows imply, by id. ``rows`` are audit rows (:data:`AUDIT_COLUMNS` order:
    audit_id, change_id, time, user, inventory, plot_id, field, old, new, note, action, version, …)
    of :data:`PROJECT_SCOPE`, oldest first."""
    state: dict[str, dict[str, Any]] = {}
    for row in rows:
        time, user, project_id, name, new, action, version = (
            row[2],
            row[3],
            row[5],
            row[6],
            row[8],
            row[10],
            row[11],
        )
        if action not in PROJECT_ACTIONS or project_id is None:
            continue
        project = state.setdefault(
            project_id, {"fields": {}, "reviews": {}, "stages": {}, "created_at": time, "created_by": user}
        )
        if action == "project":
            project["fields"][name] = new
        elif action == "review":
            found = json.loads(new)
            department = str(name).removeprefix("review:")
            project["reviews"][department] = Review(
                department, found["date"], found["opinion"], found.get("conditions") or "", user, time
            )
        else:
            found = json.loads(new)
            project["stages"][str(name).removeprefix("stage:")] = StageDates(
                found.get("planned"), found.get("actual")
            )
        project |= {"version": int(version), "updated_at": time, "updated_by": user}
    return {
        key: ProjectRecord(key, v["fields"], v["reviews"], v["stages"], v["version"], v["created_at"],
                           v["created_by"], v["updated_at"], v["updated_by"])
        for key, v in sorted(state.items())
    }  # fmt: skip


def check_version(current: ProjectRecord, expected_version: int | None) -> None:
    """Refuse a change made against a version the project is no longer at (None: any version)."""
    if expected_version is None or current.version == expected_version:
        return
    if current.version == 0:
        changed = f"project {current.project_id!r} does not exist (you loaded version {expected_version})"
    else:
        changed = (
            f"project {current.project_id!r} was changed by {current.updated_by} at {current.updated_at} "
            f"(now version {current.version}; you loaded version {expected_version})"
        )
    raise ConcurrentEditError(f"{changed}. Your change was not saved: reload the project and apply it again.")


def no_such_project(project_id: str) -> WorkspaceError:
    """The error for an id the register does not have."""
    return WorkspaceError(
        f"the register has no project {project_id!r}; check the id or create the project first"
    )


def field_rows(
    current: ProjectRecord, changes: Mapping[str, str | None], *, user: str, note: str
) -> list[tuple[Any, ...]]:
    """The audit rows (without id) of setting ``changes`` (only the fields that differ); one change id."""
    changed = {k: v for k, v in changes.items() if current.fields.get(k) != v}
    # park_id first: a row is checked against the project's park as the rows before it leave it (PostGIS)
    ordered = sorted(changed, key=lambda k: k != "park_id")
    return _rows(current, "project", {k: (current.fields.get(k), changed[k]) for k in ordered}, user, note)


def review_row(
    current: ProjectRecord, department: str, *, date: str, opinion: str, conditions: str, user: str, note: str
) -> list[tuple[Any, ...]]:
    """The audit row (without id) of a department's opinion (replacing an earlier one of the department)."""
    if opinion not in OPINIONS:
        choices = ", ".join(f"{o} ({OPINION_ZH[o]})" for o in OPINIONS)
        raise OptionError(f"unknown opinion {opinion!r}; valid: {choices}")
    old = current.reviews.get(department)
    before = (
        None
        if old is None
        else json.dumps(
            {"date": old.date, "opinion": old.opinion, "conditions": old.conditions}, ensure_ascii=False
        )
    )
    after = json.dumps({"date": date, "opinion": opinion, "conditions": conditions}, ensure_ascii=False)
    return _rows(current, "review", {f"review:{department}": (before, after)}, user, note)


def stage_row(
    current: ProjectRecord, stage: str, dates: StageDates, *, user: str, note: str
) -> list[tuple[Any, ...]]:
    """The audit row (without id) of a stage's dates; none when they are unchanged."""
    if stage not in STAGES:
        raise OptionError(
            f"unknown stage {stage!r}; valid: {', '.join(f'{s} ({STAGE_ZH[s]})' for s in STAGES)}"
        )
    old = current.stages.get(stage)
    if old == dates:
        return []
    before = None if old is None else json.dumps({"planned": old.planned, "actual": old.actual})
    after = json.dumps({"planned": dates.planned, "actual": dates.actual})
    return _rows(current, "stage", {f"stage:{stage}": (before, after)}, user, note)


def _rows(
    current: ProjectRecord,
    action: str,
    values: Mapping[str, tuple[str | None, str | None]],
    user: str,
    note: str,
) -> list[tuple[Any, ...]]:
    change_id, at, version = uuid.uuid4().hex, utc_now(), current.version + 1
    return [
        (change_id, at, user, PROJECT_SCOPE, current.project_id, name, old, new, note, action, version, None)
        for name, (old, new) in values.items()
    ]
