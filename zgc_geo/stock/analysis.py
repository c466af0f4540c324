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
from zgc_geo.export.worded import CodeName
from zgc_geo.i18n import Joined, Sentence
from zgc_geo.importing.plots import OUTPUT_COLUMNS
from zgc_geo.memory import give_back_freed_memory
from zgc_geo.placement import Placed
from zgc_geo.plan_data import PlanData
from zgc_geo.stock import efficiency, inefficiency, priority, redevelopment
from zgc_geo.stock.metrics import load_idle_words, plot_metrics
from zgc_geo.stock.scenario import FarRule, PlotRatioScenario, read_rules_file, scenario_from_mapping
from zgc_geo.stock.scenario import stock_rules_path as default_stock_rules_path
from zgc_geo.stock.summary import park_summary

REQUIRED_COLUMNS: Final = ("plot_id",)
#: Optional inventory fields holding text; the others are numbers. Missing ones are added empty.
TEXT_FIELDS: Final = ("name", "park_id", "land_use_code", "land_use_class", "land_rights", "owner", "status")
NUMERIC_FIELDS: Final = tuple(
    c for c in OUTPUT_COLUMNS if c not in (*REQUIRED_COLUMNS, *TEXT_FIELDS, "area_m2", "area_mu")
)
#: The groups of the parameters table.
_RUN: Final = Sentence("stock.param.group_run")
_SCENARIO: Final = Sentence("stock.param.group_scenario")
_EFFICIENCY: Final = Sentence("stock.param.group_efficiency")
_INEFFICIENCY: Final = Sentence("stock.param.group_inefficiency")
_PRIORITY: Final = Sentence("stock.param.group_priority")
_REDEVELOPMENT: Final = Sentence("stock.param.group_redevelopment")
EFFICIENCY_MODE_KEYS: Final = {
    "relative": "stock.param.mode_relative",
    "absolute": "stock.param.mode_absolute",
}
#: The priority components as the "why this priority" chart names them, and how each is normalised.
PRIORITY_PART_KEYS: Final = {
    "years_idle": "stock.part.years_idle",
    "area": "stock.part.area",
    "extra_floor_area": "stock.part.extra_floor_area",
    "efficiency": "stock.part.efficiency",
    "inefficiency": "stock.part.inefficiency",
    "proximity": "stock.part.proximity",
    "inside_park": "stock.part.inside_park",
}
FORMULA_KEYS: Final = {
    "years_idle": "stock.param.formula_years_idle",
    "area": "stock.param.formula_area",
    "extra_floor_area": "stock.param.formula_extra_floor_area",
    "efficiency": "stock.param.formula_efficiency",
    "inefficiency": "stock.param.formula_inefficiency",
    "proximity": "stock.param.formula_proximity",
    "inside_park": "stock.param.formula_inside_park",
}
SCALE_KEYS: Final = {
    "years_idle_cap": "stock.param.scale_years_idle_cap",
    "area_cap_mu": "stock.param.scale_area_cap_mu",
    "extra_floor_area_cap_m2": "stock.param.scale_extra_floor_area_cap_m2",
    "proximity_max_m": "stock.param.scale_proximity_max_m",
}
KIND_PARAMETER_KEYS: Final = {
    "status_words": "stock.param.status_words",
    "ratio": "stock.param.ratio",
    "classes": "stock.param.classes",
}


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
    return plots.assign(**missing) if missing else plots.copy(deep=False)  # copy-on-write: shares the columns


def analyse_stock(
    plots: gpd.GeoDataFrame,
    plan: PlanData,
    *,
    scenario: PlotRatioScenario | None = None,
    reference_year: int | None = None,
    weights: Mapping[str, float] | None = None,
    rules_path: Path | None = None,
    stock_rules_path: Path | None = None,
    outlines: gpd.GeoSeries | None = None,
    placed: Placed | None = None,
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
    outlines
        The plots' outlines in EPSG:4548 from the import that made ``plots``
        (:attr:`~zgc_geo.importing.pipeline.ImportResult.outlines`): not repaired and projected again.
    placed
        The parks that import found for plots naming none
        (:attr:`~zgc_geo.importing.pipeline.ImportResult.placed`): those plots are not placed again
        (taken only with the import's ``outlines`` and when the plan's parks are the ones it used).
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
        outlines=outlines,
        placed=placed,
    )
    if outlines is not None:  # measured: freed now unless the caller still holds them (0.4 GB per 1M plots)
        outlines = None
        give_back_freed_memory()
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
    """Every parameter of a run as rows of (group, key, value, note), for exports next to the plots.

    Names and notes are :class:`~zgc_geo.i18n.Sentence` s, not text: every export words them in its
    reader's language (:mod:`zgc_geo.export.worded`); numbers and rule files are written as they are.
    """
    rows: list[tuple[Sentence, object, object, object]] = [
        (
            _RUN,
            Sentence("stock.param.reference_year"),
            str(year),
            Sentence("stock.param.reference_year_note"),
        ),
        (
            _RUN,
            Sentence("stock.param.stock_rules"),
            _file_name(stock_source),
            Sentence("stock.param.stock_rules_note"),
        ),
        (
            _RUN,
            Sentence("stock.param.redevelopment_rules"),
            _file_name(redev_rules.source),
            Sentence("stock.param.redev_note"),
        ),
    ]
    scopes: list[tuple[object, FarRule]] = [(Sentence("stock.why.scope_all"), scenario.rule)]
    scopes += [(CodeName("park", park), rule) for park, rule in sorted(scenario.park_rules.items())]
    basis = Sentence("stock.param.far_basis")
    rows += [
        (
            _SCENARIO,
            Sentence(
                "stock.param.scenario_scope", {"scenario": scenario.name, "scope": scope}, as_written=True
            ),
            rule.sentence(),
            basis,
        )
        for scope, rule in scopes
    ]
    mode = Sentence(EFFICIENCY_MODE_KEYS.get(eff_rules.mode, "stock.param.mode_relative"))
    rows.append((_EFFICIENCY, Sentence("stock.param.eff_mode"), mode, Sentence("stock.param.eff_mode_note")))
    rows += [
        (_EFFICIENCY, _of("stock.param.eff_weight", k), f"{v:g}", Sentence("stock.param.relative_only"))
        for k, v in eff_rules.weights.items()
    ]
    if eff_rules.mode == "relative":
        rows += [
            (
                _EFFICIENCY,
                Sentence("stock.param.eff_share", {"klass": c}),
                f"{v:g}",
                Sentence("stock.param.share_note"),
            )
            for c, v in eff_rules.shares.items()
        ]
    for indicator, cut in eff_rules.cutoffs.items():
        text = ", ".join(f"{c} ≥ {v:g}" for c, v in cut.items())
        note = Sentence("stock.param.cutoffs_note", {"unit": efficiency.PER_MU_UNIT})
        rows.append((_EFFICIENCY, _of("stock.param.eff_cutoffs", indicator), text, note))
    for kind in ineff_rules.kinds:
        params = Joined(tuple(_kind_parameter(k, v) for k, v in kind.params.items()))
        fields = Joined(tuple(inefficiency.missing_names(kind.id, ())), list_=True)
        needs = Sentence("stock.param.needs", {"fields": fields})
        rows.append((_INEFFICIENCY, kind.name, params if kind.params else "", needs))
    for name in priority.COMPONENTS:
        part = Sentence(PRIORITY_PART_KEYS[name])
        weight = f"{prio_rules.weights[name]:g}"
        rows.append(
            (
                _PRIORITY,
                Sentence("stock.param.prio_weight", {"part": part}),
                weight,
                Sentence(FORMULA_KEYS[name]),
            )
        )
    rows += [(_PRIORITY, Sentence(SCALE_KEYS[k]), f"{v:g}", "") for k, v in prio_rules.scales.items()]
    rows += [
        (
            _PRIORITY,
            Sentence("stock.param.points", {"klass": c}),
            f"{v:.3g}",
            Sentence("stock.param.points_note"),
        )
        for c, v in prio_rules.efficiency_points.items()
    ]
    for rule in redev_rules.rules:
        conditions = Joined(tuple(c.sentence() for c in rule.conditions), joiner="stock.why.and")
        note = Sentence("stock.param.rule_note", {"section": rule.section, "conditions": conditions})
        rows.append(
            (_REDEVELOPMENT, Sentence("stock.param.rule", {"id": rule.id}), CodeName("mode", rule.mode), note)
        )
    return pd.DataFrame(rows, columns=["group", "key", "value", "note"])


def _file_name(source: str) -> str:
    """A rules file by its name: an export (a page's download too) never shows the server's folders."""
    return Path(source).name or source


def _of(key: str, indicator: str) -> Sentence:
    return Sentence(key, {"indicator": Sentence(efficiency.INDICATOR_KEYS[indicator])})


def _kind_parameter(name: str, value: object) -> Sentence:
    """A parameter of an inefficiency kind: status words as the rules give them, a ratio, classes."""
    shown = "、".join(map(str, value)) if isinstance(value, list | tuple) else f"{value:g}"
    return Sentence(KIND_PARAMETER_KEYS[name], {"value": shown})
