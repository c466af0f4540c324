"""The register as tables: projects from a screening to register, and the register to show, screen and export.

A register row keeps the project's fields as text; screening a register runs the same screening as a
project list (:func:`~zgc_geo.projects.intake.projects_from_table` on these cells), so a project's verdict
on the page is the one ``zgc-geo projects screen`` gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from zgc_geo.projects.codes import IndustryCodes
from zgc_geo.projects.intake import ProjectList, projects_from_table
from zgc_geo.projects.lifecycle import Delay, Norm, delays
from zgc_geo.projects.screening import Screened
from zgc_geo.workspace.projects import PROJECT_FIELDS, STAGES, ProjectRecord, StageDates

#: The register's stage column when no stage has an actual date yet.
NOT_SIGNED: Final = "not_signed"
#: Fields a screened row gives a new project (the rest come from the screening: park, site, cluster).
_FROM_LIST: Final = ("name", "enterprise", "industry_code", "plot_id", "land_area_mu", "investment_wan",
                     "output_wan", "tax_wan", "far", "jobs")  # fmt: skip


def fields_to_register(projects: ProjectList, screened: Screened, position: int) -> dict[str, object]:
    """A screened project's fields for the register: its list's values, the site it was screened at
    (a plot's point included), the park holding that site and the industry's first cluster."""
    listed = projects.fields.loc[position]
    found = screened.table.loc[position]
    changes: dict[str, object] = {f: listed[f] for f in _FROM_LIST if pd.notna(listed[f])}
    for name in ("lon", "lat", "park_id", "inventory"):
        if pd.notna(found[name]):
            changes[name] = found[name]
    fit = found["fit"]
    if fit is not None and fit.industry_clusters:
        changes["cluster_id"] = fit.industry_clusters[0]
    return changes


def register_cells(records: Sequence[ProjectRecord]) -> pd.DataFrame:
    """The register as text cells under the canonical field names, ``project_id`` first (for screening)."""
    rows = [{"project_id": r.project_id, **{f: r.value(f) or "" for f in PROJECT_FIELDS}} for r in records]
    return pd.DataFrame(rows, columns=["project_id", *PROJECT_FIELDS], dtype=object)


def register_as_list(records: Sequence[ProjectRecord], codes: IndustryCodes) -> ProjectList:
    """The register as a project list, screened like an uploaded one."""
    return projects_from_table(register_cells(records), "register", codes, first_row=1)


def stage_of(record: ProjectRecord) -> str:
    """The furthest stage reached, or :data:`NOT_SIGNED`."""
    return record.stage or NOT_SIGNED


def delays_of(records: Sequence[ProjectRecord], norms: dict[str, Norm], today: dt.date) -> list[list[Delay]]:
    """Each project's delays as of ``today``."""
    return [delays(r, norms, today) for r in records]


def register_frame(records: Sequence[ProjectRecord], found: list[list[Delay]]) -> pd.DataFrame:
    """One row per project: id, fields (numbers as floats), stage, each stage's dates, delays, reviews."""
    frame = register_cells(records)
    for name in ("lon", "lat", "land_area_mu", "investment_wan", "jobs", "output_wan", "tax_wan", "far"):
        frame[name] = pd.to_numeric(frame[name].replace("", np.nan), errors="coerce")
    frame["stage"] = [stage_of(r) for r in records]
    for stage in STAGES:
        dates = [r.stages.get(stage, StageDates()) for r in records]
        frame[f"{stage}_planned"] = [d.planned for d in dates]
        frame[f"{stage}_actual"] = [d.actual for d in dates]
    frame["delays"] = found
    frame["delayed"] = [bool(d) for d in found]
    frame["reviews"] = [dict(r.reviews) for r in records]
    frame["version"] = [r.version for r in records]
    frame["updated_by"] = [r.updated_by for r in records]
    frame["updated_at"] = [r.updated_at for r in records]
    return frame
