"""Land-stock revitalisation (存量空间盘活利用, plan §五(二)2): idle and inefficient industrial plots.

Per plot: area, park, distance to the clusters' feature parks, years idle, FAR headroom under a
scenario, land-efficiency class, inefficient-land kind, redevelopment-mode suggestions with the
rule and plan wording behind each, and a transparent priority score; per park: a summary.
Entry point: :func:`analyse_stock`. Rules and thresholds are data in ``layers/stock_rules.toml``
and ``layers/redevelopment_rules.toml``. :mod:`zgc_geo.stock.bulk` is the fast path for large layers.
"""

from __future__ import annotations

from zgc_geo.stock.analysis import StockAnalysis, analyse_stock
from zgc_geo.stock.redevelopment import Suggestion, explain_suggestions
from zgc_geo.stock.scenario import (
    FarRule,
    PlotRatioScenario,
    default_scenario,
    scenario_from_file,
    scenario_table,
)
from zgc_geo.stock.summary import park_summary

__all__ = [
    "FarRule",
    "PlotRatioScenario",
    "StockAnalysis",
    "Suggestion",
    "analyse_stock",
    "default_scenario",
    "explain_suggestions",
    "park_summary",
    "scenario_from_file",
    "scenario_table",
]
