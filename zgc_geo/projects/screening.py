"""Screen a project list: the catalogue's verdict, the plan's cluster test and the intensity checks.

Verdict: ``prohibited`` if any 禁止 rule applies, else ``restricted`` if any 限制 rule applies, else
``allowed``. A rule applies when its code is the project's code or one above it (a rule on ``30``
covers ``3011``, one on ``C`` every manufacturing code) and its scope is 全市, the site's zone or the
site's district. A row with errors (no code, no site) gets no verdict and keeps its errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import shapely

from zgc_geo.i18n import Joined, Sentence
from zgc_geo.placement import first_parks
from zgc_geo.plan_data import PlanData
from zgc_geo.projects.catalogue import PROHIBITED, RESTRICTED, Catalogue
from zgc_geo.projects.codes import IndustryCodes
from zgc_geo.projects.fit import ClusterFit, cluster_fit, code_clusters, park_clusters
from zgc_geo.projects.intake import ProjectList
from zgc_geo.projects.intensity import Threshold, intensity_checks
from zgc_geo.projects.zoning import CITYWIDE, site_zones

PROHIBITED_VERDICT, RESTRICTED_VERDICT, ALLOWED_VERDICT = "prohibited", "restricted", "allowed"
VERDICTS: Final = (PROHIBITED_VERDICT, RESTRICTED_VERDICT, ALLOWED_VERDICT)
#: Finds the sites of workspace plot ids: plot id → (its inventory, a point inside it, WGS84), or a reason
#: it could not.
PlotSites = Callable[[list[str]], Mapping[str, tuple[str, shapely.Point] | Sentence]]


@dataclass(frozen=True)
class Screened:
    """One row per project: the site, the verdict with the matched rules, the cluster fit, the intensity
    checks and the row's errors; ``rules`` holds the matched catalogue rows of each project."""

    table: pd.DataFrame
    rules: list[pd.DataFrame]

    @property
    def error_count(self) -> int:
        """Projects that could not be screened in full."""
        return int((self.table["errors"].map(len) > 0).sum())


def screen_projects(
    projects: ProjectList,
    catalogue: Catalogue,
    codes: IndustryCodes,
    plan: PlanData,
    thresholds: Mapping[str, Threshold],
    *,
    plot_sites: PlotSites | None = None,
) -> Screened:
    """Screen every project of ``projects``; ``plot_sites`` finds workspace plots (None: no workspace)."""
    fields = projects.fields
    errors = [list(row) for row in projects.errors]
    sites = np.asarray(shapely.points(fields["lon"].to_numpy(), fields["lat"].to_numpy()), dtype=object)
    sites[~np.isfinite(fields["lon"].to_numpy())] = None
    inventories = _sites_of_plots(fields, sites, errors, plot_sites)
    zones = site_zones(sites)
    parks = first_parks(sites, plan.parks.geometry.to_numpy(), plan.parks["park_id"].to_numpy())
    hosted, mapping = park_clusters(plan), code_clusters()
    out = pd.DataFrame(index=fields.index)
    out["row"] = projects.rows
    out["industry_code"] = fields["industry_code"]
    out["lon"] = [s.x if s is not None else np.nan for s in sites]
    out["lat"] = [s.y if s is not None else np.nan for s in sites]
    out["district"], out["zone"], out["zone_basis"] = zones["district"], zones["zone"], zones["zone_basis"]
    out["park_id"] = parks
    out["inventory"] = inventories
    matched: list[pd.DataFrame] = []
    verdicts: list[str | None] = []
    fits: list[ClusterFit | None] = []
    for position, (code, district, zone, park) in enumerate(
        zip(fields["industry_code"], zones["district"], zones["zone"], parks, strict=True)
    ):
        if code is None or district is None or errors[position]:
            matched.append(catalogue.rules.iloc[:0])
            verdicts.append(None)
            fits.append(None)
            continue
        rules = catalogue.matching(code, (CITYWIDE, zone, district))
        matched.append(rules)
        measures = set(rules["measure"])
        verdicts.append(
            PROHIBITED_VERDICT if PROHIBITED in measures
            else RESTRICTED_VERDICT if RESTRICTED in measures
            else ALLOWED_VERDICT
        )  # fmt: skip
        fits.append(cluster_fit(code, park, mapping, hosted))
    out["verdict"] = verdicts
    out["rules"] = matched
    out["cluster_fit"] = [f.fit if f is not None else None for f in fits]
    out["fit"] = fits
    out = out.join(intensity_checks(fields, dict(thresholds)))
    screened = np.array([v is not None for v in verdicts])
    for column in [c for c in out.columns if c.endswith("_check")]:
        out.loc[~screened, column] = None
    out["errors"] = errors
    return Screened(out, matched)


def _sites_of_plots(
    fields: pd.DataFrame, sites: np.ndarray, errors: list[list[Sentence]], plot_sites: PlotSites | None
) -> list[str | None]:
    """Fill in the sites of rows that give a plot id and no coordinates (in place); each row's inventory."""
    inventories: list[str | None] = [None] * len(sites)
    wanted = [
        (position, str(plot)) for position, plot in enumerate(fields["plot_id"])
        if sites[position] is None and isinstance(plot, str) and not errors[position]
    ]  # fmt: skip
    if not wanted:
        return inventories
    if plot_sites is None:
        for position, plot in wanted:
            errors[position].append(Sentence("projects.error.plot_without_workspace", {"plot_id": plot}))
        return inventories
    found = plot_sites(sorted({plot for _, plot in wanted}))
    for position, plot in wanted:
        site = found.get(plot, Sentence("projects.error.plot_not_found", {"plot_id": plot}))
        if isinstance(site, Sentence):
            errors[position].append(site)
        else:
            inventories[position], sites[position] = site
    return inventories


def joined_errors(errors: list[Sentence]) -> Joined | str:
    """A row's errors as one text in either language."""
    return Joined(tuple(errors)) if errors else ""
