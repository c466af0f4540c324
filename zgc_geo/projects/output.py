"""The screening result as a person reads it: the input columns as given, then the result in one language.

With ``en`` the result columns are exactly ``verdict`` (``prohibited|restricted|allowed``), ``scope``,
``rules``, ``cluster_fit`` (``fits|other_cluster|no_cluster|outside_parks``) and the checks' columns;
with ``zh`` the headers are Chinese and the verdicts 禁止/限制/允许. Catalogue text (clauses,
conditions) stays as the catalogue writes it.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from zgc_geo.i18n import Lang, in_lang, translate
from zgc_geo.plan_data import PlanData
from zgc_geo.projects.codes import IndustryCodes
from zgc_geo.projects.fit import ClusterFit
from zgc_geo.projects.intake import ProjectList
from zgc_geo.projects.screening import Screened, joined_errors
from zgc_geo.projects.zoning import ZONE_EN, district_names

#: The result columns in order (their English names are these keys; Chinese under projects.column.*).
RESULT_COLUMNS: Final = (
    "verdict", "scope", "rules", "cluster_fit", "cluster_fit_reason", "industry", "park",
    "investment_per_mu", "investment_check", "output_per_mu", "output_check", "tax_per_mu", "tax_check",
    "far_check", "errors",
)  # fmt: skip
#: Each intensity column of the output and the measure (see :data:`.intensity.CHECKS`) it shows.
_MEASURE_COLUMNS: Final = {
    "investment": "investment_per_mu_wan",
    "output": "output_per_mu_wan",
    "tax": "tax_per_mu_wan",
    "far": "far",
}
_MEASURE_EN: Final = {"禁止": "prohibited", "限制": "restricted"}
#: How each verdict is worded (in Chinese files, on the page and in legends).
VERDICT_KEYS: Final = {
    "prohibited": "projects.verdict.prohibited",
    "restricted": "projects.verdict.restricted",
    "allowed": "projects.verdict.allowed",
}
#: The key of each worded value, by kind; English files show the value itself (the contract's codes).
_VALUE_KEYS: Final = {
    "verdict": VERDICT_KEYS,
    "fit": {
        "fits": "projects.fit.fits",
        "other_cluster": "projects.fit.other_cluster",
        "no_cluster": "projects.fit.no_cluster",
        "outside_parks": "projects.fit.outside_parks",
    },
    "check": {
        "pass": "projects.check.pass",
        "below": "projects.check.below",
        "unknown": "projects.check.unknown",
    },
}
_FIT_REASON_KEYS: Final = {
    "fits": "projects.fit_reason.fits",
    "other_cluster": "projects.fit_reason.other_cluster",
    "no_cluster": "projects.fit_reason.no_cluster",
    "outside_parks": "projects.fit_reason.outside_parks",
}
#: The Chinese header of each result column.
COLUMN_KEYS: Final = {
    "verdict": "projects.column.verdict",
    "scope": "projects.column.scope",
    "rules": "projects.column.rules",
    "cluster_fit": "projects.column.cluster_fit",
    "cluster_fit_reason": "projects.column.cluster_fit_reason",
    "industry": "projects.column.industry",
    "park": "projects.column.park",
    "investment_per_mu": "projects.column.investment_per_mu",
    "investment_check": "projects.column.investment_check",
    "output_per_mu": "projects.column.output_per_mu",
    "output_check": "projects.column.output_check",
    "tax_per_mu": "projects.column.tax_per_mu",
    "tax_check": "projects.column.tax_check",
    "far_check": "projects.column.far_check",
    "errors": "projects.column.errors",
}


def result_table(
    projects: ProjectList, screened: Screened, codes: IndustryCodes, plan: PlanData, lang: Lang
) -> pd.DataFrame:
    """The input columns as read, then :data:`RESULT_COLUMNS` worded in ``lang`` (headers too)."""
    table = screened.table
    parks = plan.parks.set_index("park_id")
    districts = district_names()
    worded = pd.DataFrame(index=table.index)
    worded["verdict"] = [_value("verdict", v, lang) for v in table["verdict"]]
    worded["scope"] = [
        _scope(zone, district, lang, districts)
        for zone, district in zip(table["zone"], table["district"], strict=True)
    ]
    worded["rules"] = [_rules(rules, codes, lang, districts) for rules in screened.rules]
    worded["cluster_fit"] = [_value("fit", f, lang) for f in table["cluster_fit"]]
    worded["cluster_fit_reason"] = [_fit_reason(f, plan, lang) for f in table["fit"]]
    worded["industry"] = [codes.label(c, lang) if isinstance(c, str) else "" for c in table["industry_code"]]
    worded["park"] = [
        str(parks.at[p, "name_zh" if lang == "zh" else "name_en"]) if isinstance(p, str) else ""
        for p in table["park_id"]
    ]
    for short, measure in _MEASURE_COLUMNS.items():
        if measure != "far":
            worded[f"{short}_per_mu"] = table[measure]
        worded[f"{short}_check"] = [_value("check", v, lang) for v in table[f"{measure}_check"]]
    worded["errors"] = [in_lang(joined_errors(e), lang) for e in table["errors"]]
    worded = worded[list(RESULT_COLUMNS)]
    if lang == "zh":
        worded.columns = [translate(COLUMN_KEYS[c], lang) for c in RESULT_COLUMNS]
    inputs = projects.cells.copy()
    clashes = {
        c: f"{c} ({translate('projects.column.input', lang)})" for c in inputs.columns if c in worded.columns
    }
    return pd.concat([inputs.rename(columns=clashes), worded], axis=1)


def result_layer(projects: ProjectList, screened: Screened, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """The result table with each project's site as a point (none where it has no site), in WGS84."""
    lon, lat = screened.table["lon"].to_numpy(), screened.table["lat"].to_numpy()
    geometry = np.asarray(gpd.points_from_xy(lon, lat), dtype=object)
    geometry[~(np.isfinite(lon) & np.isfinite(lat))] = None
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geometry, crs="EPSG:4326", index=table.index))


def _value(kind: str, value: object, lang: Lang) -> str:
    if not isinstance(value, str):
        return ""
    return value if lang == "en" else translate(_VALUE_KEYS[kind][value], lang)


def _scope(zone: object, district: object, lang: Lang, districts: dict[str, str]) -> str:
    if not isinstance(zone, str) or not isinstance(district, str):
        return ""
    if lang == "zh":
        return f"{zone}；{district}"
    return f"{ZONE_EN[zone]}; {districts.get(district, district)}"


def _rules(rules: pd.DataFrame, codes: IndustryCodes, lang: Lang, districts: dict[str, str]) -> str:
    """Each matched rule: its measure, clause, code, scope and condition, one rule per line."""
    lines = []
    for rule in rules.itertuples(index=False):
        measure = rule.measure if lang == "zh" else _MEASURE_EN[rule.measure]
        values = {
            "measure": measure, "clause": rule.clause, "code": codes.label(rule.code, lang),
            "scope": _place(rule.scope, lang, districts), "condition": rule.condition or "—",
            "edition": rule.edition,
        }  # fmt: skip
        lines.append(translate("projects.rule_line", lang, **values))
    return "\n".join(lines)


def _place(scope: str, lang: Lang, districts: dict[str, str]) -> str:
    """A rule's scope (a zone or a district) in ``lang``."""
    return scope if lang == "zh" else ZONE_EN.get(scope) or districts.get(scope, scope)


def _fit_reason(fit: ClusterFit | None, plan: PlanData, lang: Lang) -> str:
    if fit is None:
        return ""
    names = plan.clusters.set_index("cluster_id")["short_zh" if lang == "zh" else "short_en"]
    industry = ("、" if lang == "zh" else ", ").join(str(names.get(c, c)) for c in fit.industry_clusters)
    park = ("、" if lang == "zh" else ", ").join(
        f"{names.get(c, c)} ({why})" for c, why in fit.park_clusters.items()
    )
    return translate(_FIT_REASON_KEYS[fit.fit], lang, industry=industry or "—", park=park or "—")
