"""The land-stock revitalisation analysis in one call: measures, classes, suggestions, priority, summary.

Plan §五(二)2 (建立存量空间盘活利用激励机制) asks parks to put idle and inefficient industrial land back
to use. :func:`analyse_stock` takes a plot inventory in the canonical schema
(:data:`zgc_geo.importing.plots.OUTPUT_COLUMNS`) and returns every plot with its measures and
suggestions, a per-park summary and the parameters used, so an exported result always carries
the assumptions it was computed with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from zgc_geo.errors import LayerError
from zgc_geo.importing.plots import OUTPUT_COLUMNS
from zgc_geo.plan_data import PlanData
from zgc_geo.stock import efficiency, inefficiency, priority, redevelopment
from zgc_geo.stock.metrics import load_idle_words, plot_metrics
from zgc_geo.stock.scenario import PlotRatioScenario, read_rules_file, scenario_from_mapping, scenario_table
from zgc_geo.stock.scenario import stock_rules_path as default_stock_rules_path
from zgc_geo.stock.summary import park_summary

REQUIRED_COLUMNS: Final = ("plot_id",)
#: Optional inventory fields holding text; the others are numbers. Missing ones are added empty.
TEXT_FIELDS: Final = ("name", "park_id", "land_use_code", "land_use_class", "land_rights", "owner", "status")
NUMERIC_FIELDS: Final = tuple(
    c for c in OUTPUT_COLUMNS if c not in (*REQUIRED_COLUMNS, *TEXT_FIELDS, "area_m2", "area_mu")
)


@dataclass(frozen=True)
class StockAnalysis:
    """The result: plots with every analysis column, the per-park summary and the parameters used."""

    plots: gpd.GeoDataFrame
    summary: pd.DataFrame
    parameters: pd.DataFrame


def validate_plots(plots: gpd.GeoDataFrame) -> None:
    """Raise one :class:`LayerError` listing every reason the inventory cannot be analysed."""
    if not isinstance(plots, gpd.GeoDataFrame):
        raise LayerError("plots must be a GeoDataFrame of plot outlines; read them with zgc_geo.stock.bulk.")
    problems: list[str] = []
    if plots.crs is None:
        problems.append("the plot layer has no CRS; set it (EPSG:4326 for lon/lat, EPSG:4548 for metres)")
    for column in REQUIRED_COLUMNS:
        if column not in plots.columns:
            problems.append(f"column {column!r} is missing; map a column to it on import (zgc-geo validate)")
    if "plot_id" in plots.columns:
        ids = plots["plot_id"]
        if ids.isna().any():
            problems.append(f"{int(ids.isna().sum())} plot(s) have no plot_id; give every plot a unique id")
        duplicated = ids[ids.duplicated() & ids.notna()].astype(str).unique()
        if len(duplicated):
            problems.append(f"plot_id values used twice: {', '.join(duplicated[:10])}; make them unique")
    if problems:
        raise LayerError("plot inventory: " + "; ".join(problems) + ".")


def _with_all_fields(plots: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy with every optional canonical field present (empty where the inventory lacks it)."""
    missing = {c: pd.Series(np.nan, index=plots.index, dtype="str") for c in TEXT_FIELDS if c not in plots}
    missing |= {
        c: pd.Series(np.nan, index=plots.index, dtype=float) for c in NUMERIC_FIELDS if c not in plots
    }
    return plots.assign(**missing) if missing else plots.copy()


def analyse_stock(
    plots: gpd.GeoDataFrame,
    plan: PlanData,
    *,
    scenario: PlotRatioScenario | None = None,
    reference_year: int | None = None,
    weights: Mapping[str, float] | None = None,
    rules_path: Path | None = None,
    stock_rules_path: Path | None = None,
) -> StockAnalysis:
    """Analyse a plot inventory (``plots`` is never modified).

    Parameters
    ----------
    plots
        Plots in the canonical schema; only ``plot_id`` and outlines with a CRS are required,
        every other field is used where present (missing ones are added empty, and analyses
        needing them say so).
    plan
        The plan layers (parks, clusters, feature parks): :func:`~zgc_geo.plan_data.plan_from_catalogue`.
    scenario
        FAR scenario; default the ``[scenario]`` of ``layers/stock_rules.toml``.
    reference_year
        Year that ``years_idle`` counts to; default the current year.
    weights
        Priority weights overriding those of ``[priority.weights]`` for this run.
    rules_path
        Redevelopment rules (default ``layers/redevelopment_rules.toml``).
    stock_rules_path
        Efficiency, inefficiency, idle and priority rules (default ``layers/stock_rules.toml``).
    """
    validate_plots(plots)
    available = {c for c in plots.columns if c != plots.geometry.name and plots[c].notna().any()}
    stock_path = stock_rules_path or default_stock_rules_path()
    raw = read_rules_file(stock_path)
    source = str(stock_path)
    scenario = scenario or scenario_from_mapping(raw, source)
    eff_rules = efficiency.efficiency_rules(raw, source)
    ineff_rules = inefficiency.inefficiency_rules(raw, source)
    prio_rules = priority.priority_rules(raw, source).with_weights(weights)
    redev_rules = redevelopment.load_redevelopment_rules(rules_path)
    year = dt.date.today().year if reference_year is None else int(reference_year)

    frame = plot_metrics(
        _with_all_fields(plots),
        plan,
        scenario=scenario,
        reference_year=year,
        idle_words=load_idle_words(stock_path),
    )
    frame = _join(frame, efficiency.classify_efficiency(frame, eff_rules))
    frame = _join(frame, inefficiency.classify_inefficiency(frame, ineff_rules, available=available))
    frame = _join(frame, priority.score_priority(frame, prio_rules))
    frame = _join(frame, redevelopment.suggest_redevelopment(frame, redev_rules))
    summary = park_summary(frame, parks=plan.parks)
    parameters = parameters_table(
        scenario, eff_rules, ineff_rules, prio_rules, redev_rules, year=year, stock_source=source
    )
    return StockAnalysis(frame, summary, parameters)


def _join(frame: gpd.GeoDataFrame, columns: pd.DataFrame) -> gpd.GeoDataFrame:
    return frame.assign(**{name: columns[name] for name in columns.columns})


def parameters_table(
    scenario: PlotRatioScenario,
    eff_rules: efficiency.EfficiencyRules,
    ineff_rules: inefficiency.InefficiencyRules,
    prio_rules: priority.PriorityRules,
    redev_rules: redevelopment.RedevelopmentRules,
    *,
    year: int,
    stock_source: str,
) -> pd.DataFrame:
    """Every parameter of a run as rows of (group, key, value, note), for exports next to the plots."""
    rows: list[tuple[str, str, str, str]] = [
        ("run", "reference_year", str(year), "years_idle = reference_year − idle_since"),
        ("run", "stock_rules", stock_source, "efficiency, inefficiency, idle and priority rules"),
        ("run", "redevelopment_rules", redev_rules.source, "redevelopment-mode rules"),
    ]
    for row in scenario_table(scenario).itertuples(index=False):
        rows.append(("scenario", f"{row.scenario}: {row.scope}", row.rule, row.basis))
    rows.append(("efficiency", "mode", eff_rules.mode, "relative: percentiles of this inventory"))
    rows += [("efficiency", f"weight {k}", f"{v:g}", "relative mode") for k, v in eff_rules.weights.items()]
    if eff_rules.mode == "relative":
        rows += [
            ("efficiency", f"share {c}", f"{v:g}", "share of plots, best first")
            for c, v in eff_rules.shares.items()
        ]
    for indicator, cut in eff_rules.cutoffs.items():
        text = ", ".join(f"{c} ≥ {v:g}" for c, v in cut.items())
        rows.append(("efficiency", f"cut-offs {indicator}", text, "万元/亩, absolute mode"))
    for kind in ineff_rules.kinds:
        params = "; ".join(f"{k} = {v}" for k, v in kind.params.items())
        needs = ", ".join(inefficiency.missing_fields(kind.id, ()))
        rows.append(
            ("inefficiency", kind.id, kind.label_zh, f"needs {needs}" + (f"; {params}" if params else ""))
        )
    for name in priority.COMPONENTS:
        weight = prio_rules.weights[name]
        rows.append(("priority", f"weight {name}", f"{weight:g}", priority.FORMULAS[name]))
    rows += [("priority", f"scale {k}", f"{v:g}", "") for k, v in prio_rules.scales.items()]
    rows += [
        ("priority", f"points {c}", f"{v:.3g}", "efficiency component")
        for c, v in prio_rules.efficiency_points.items()
    ]
    for rule in redev_rules.rules:
        conditions = " and ".join(c.describe() for c in rule.conditions)
        rows.append(("redevelopment", rule.id, rule.mode, f"{rule.section}: if {conditions}"))
    return pd.DataFrame(rows, columns=["group", "key", "value", "note"])
