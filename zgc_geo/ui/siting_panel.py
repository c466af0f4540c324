"""Widgets of the siting page: factors and weights (direct or AHP), candidates, results and exports."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import altair as alt
import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from zgc_geo.crs import to_analysis_crs
from zgc_geo.errors import OptionError
from zgc_geo.export.layers import write_layer
from zgc_geo.i18n import Lang, join_names
from zgc_geo.importing.pipeline import ImportOptions
from zgc_geo.mapping.siting_map import build_siting_map
from zgc_geo.plan_data import PlanData
from zgc_geo.siting.ahp import (
    AhpResult,
    InconsistentPair,
    ahp_weights,
    fmt_judgement,
    most_inconsistent_pairs,
    nearest_scale,
    pairwise_from_upper,
)
from zgc_geo.siting.analysis import CONSTRAINTS, SitingOptions, SitingResult, constraint_name
from zgc_geo.siting.factors import FactorSpec
from zgc_geo.siting.overlay import write_suitability_geotiff
from zgc_geo.siting.ranking import explain_difference
from zgc_geo.siting.standardise import Direction
from zgc_geo.siting.ties import explain_ties
from zgc_geo.ui.i18n import current_lang, kept, local, tr, tr_map
from zgc_geo.ui.import_panel import run_import
from zgc_geo.ui.map_export import map_with_export
from zgc_geo.ui.markdown_text import escaped
from zgc_geo.ui.sidebar import chosen_basemap
from zgc_geo.ui.siting_runs import EXPORT_FILES, shared_image
from zgc_geo.ui.tables import labelled, show_table

DIRECTIONS: Final[tuple[Direction, ...]] = ("cost", "benefit")
DIRECTION_LABELS: Final = {"cost": "siting.direction_cost", "benefit": "siting.direction_benefit"}
RANKING_HEADINGS: Final = {
    "rank": "siting.col.rank",
    "tied": "siting.col.tied",
    "plot_id": "siting.col.plot_id",
    "name": "siting.col.name",
    "score": "siting.col.score",
    "failed_constraints": "siting.col.failed_constraints",
}
#: Units that are words, shown in the page's language (metres and 0/1 read the same in both).
UNIT_LABELS: Final = {"raster units": "siting.unit.raster"}
#: Candidates in the robustness chart, and the longest name a bar label shows whole.
CHART_BARS: Final = 15
CHART_NAME_CHARS: Final = 14


def factor_name(spec: FactorSpec) -> str:
    """A factor's name in the session's language."""
    return str(local(spec.label_zh, spec.label_en))


def factor_table(defaults: list[FactorSpec]) -> tuple[list[FactorSpec], dict[str, float]]:
    """Editable thresholds, direction and direct weight per factor (the documented defaults first)."""
    table = pd.DataFrame(
        {
            "id": [s.id for s in defaults],
            "factor": [factor_name(s) for s in defaults],
            "weight": [1.0] * len(defaults),
            "direction": [s.direction for s in defaults],
            "lower": [s.lower for s in defaults],
            "upper": [s.upper for s in defaults],
            "unit": [tr(UNIT_LABELS[s.unit]) if s.unit in UNIT_LABELS else s.unit for s in defaults],
        }
    )
    edited = st.data_editor(
        table,
        hide_index=True,
        disabled=["id", "factor", "unit"],
        column_config={
            "id": None,  # the factor's code keys the weights; people read its name
            "factor": st.column_config.TextColumn(tr("siting.col.factor")),
            "direction": st.column_config.SelectboxColumn(
                tr("siting.direction"),
                options=list(DIRECTIONS),
                format_func=labelled(tr_map(DIRECTION_LABELS)),
            ),
            "lower": st.column_config.NumberColumn(tr("siting.lower")),
            "upper": st.column_config.NumberColumn(tr("siting.upper")),
            "weight": st.column_config.NumberColumn(tr("siting.weight"), min_value=0.0),
            "unit": st.column_config.TextColumn(tr("siting.col.unit")),
        },
        key="siting_factors",
    )
    specs = [
        FactorSpec(
            s.id,
            s.label_zh,
            s.label_en,
            s.kind,
            row.direction,
            float(row.lower),
            float(row.upper),
            s.unit,
            s.source_note,
        )
        for s, row in zip(defaults, edited.itertuples(), strict=True)
    ]
    return specs, dict(zip(edited["id"], edited["weight"].astype(float), strict=True))


#: Saaty's scale as the judgement picker offers it, "extremely more important" first.
SAATY_CHOICES: Final = (*(str(k) for k in range(9, 1, -1)), "1", *(f"1/{k}" for k in range(2, 10)))


def ahp_form(specs: list[FactorSpec]) -> AhpResult:
    """One judgement per pair of factors (Saaty 1/9 … 9); the full matrix, weights and CR shown.

    Only the pairs are editable: the matrix below them is derived (its lower triangle is the
    reciprocal of the upper), so a judgement can never disagree with its mirror.
    """
    ids = [s.id for s in specs]
    names = {s.id: str(local(s.label_zh, s.label_en)) for s in specs}
    pairs = [(a, b) for k, a in enumerate(ids) for b in ids[k + 1 :]]
    st.caption(tr("siting.ahp_caption"))
    edited = st.data_editor(
        pd.DataFrame(
            {
                "a": [names[a] for a, _ in pairs],
                "b": [names[b] for _, b in pairs],
                "judgement": ["1"] * len(pairs),
            }
        ),
        key="siting_ahp",
        hide_index=True,
        disabled=["a", "b"],
        column_config={
            "a": st.column_config.TextColumn(tr("siting.ahp_factor_a")),
            "b": st.column_config.TextColumn(tr("siting.ahp_factor_b")),
            "judgement": st.column_config.SelectboxColumn(
                tr("siting.ahp_judgement"), options=list(SAATY_CHOICES), required=True
            ),
        },
    )
    judgements = {pair: _judgement(value) for pair, value in zip(pairs, edited["judgement"], strict=True)}
    full = pairwise_from_upper(ids, judgements)
    derived = pd.DataFrame(full, index=[names[i] for i in ids], columns=[names[i] for i in ids])
    st.dataframe(derived.map(fmt_judgement), width="stretch")  # read-only: the reciprocals are derived
    result = ahp_weights(full, ids)
    cols = st.columns(len(ids) + 1)
    for col, (factor, weight) in zip(cols, result.weights_by_name.items(), strict=False):
        col.metric(names[factor], f"{weight:.3f}")
    cols[-1].metric(tr("siting.cr"), f"{result.cr:.3f}")
    if not result.consistent:
        worst = most_inconsistent_pairs(full, result.weights, ids)
        pairs_text = "; ".join(_inconsistent_pair(p, names) for p in worst)
        st.warning(tr("siting.inconsistent", pairs=pairs_text))
    return result


def _inconsistent_pair(pair: InconsistentPair, names: dict[str, str]) -> str:
    """A judgement to revisit, with the factors' names in the page's language (never their codes)."""
    return tr(
        "siting.inconsistent_pair",
        a=names[pair.a],
        b=names[pair.b],
        judged=fmt_judgement(pair.judged),
        implied=f"{pair.implied:.2f}",
        factor=f"{pair.factor:.1f}",
        suggested=fmt_judgement(nearest_scale(pair.implied)),
    )


def _judgement(value: object) -> float:
    """A picked scale value ("3", "1/3") as a number; an empty cell counts as equal importance."""
    text = str(value or "1").strip()
    if "/" in text:
        top, bottom = text.split("/", 1)
        return float(top) / float(bottom)
    return float(text)


def options_signature(options: SitingOptions) -> tuple[object, ...]:
    """What a result depends on, comparable across reruns (frames by their content hash)."""

    def frame_key(frame: gpd.GeoDataFrame | None) -> object:
        return None if frame is None else int(pd.util.hash_pandas_object(frame.to_wkb(), index=False).sum())

    ahp = None if options.ahp is None else tuple(options.ahp.weights)
    weights = tuple(sorted((options.weights or {}).items()))
    return (
        options.cluster_id,
        options.study_area,
        options.resolution_m,
        options.specs,
        weights,
        ahp,
        frame_key(options.exclusions),
        frame_key(options.protected),
        options.top_n,
        options.perturb_pct,
    )


def uploaded_frame(label: str, key: str, kind: str) -> object:
    """A file the user uploads, imported through the usual pipeline (None when absent or unusable)."""
    upload = st.file_uploader(label, key=key)
    if upload is None:
        return None
    result = run_import(((upload.name, upload.getvalue()),), ImportOptions(kind=kind))  # type: ignore[arg-type]
    if result.frame is None or not result.report.usable:
        st.error(result.verdict_in(current_lang()))
        return None
    return result.frame


def result_view(
    holder: Callable[[], SitingResult | None], result_key: str, *, stale: bool, plan: PlanData
) -> None:
    """The result ``holder`` keeps: its map (with export), ranking, robustness and downloads.

    Nothing drawn here keeps the result itself: the map fragment and the downloads fetch it from ``holder``
    when they run, so a shared result the process let go is not held alive by the sessions that showed it.
    """
    result = holder()
    if result is None:
        st.info(tr("siting.result_released"))
        return
    if stale:
        st.warning(tr("siting.stale"))
    lang = current_lang()
    cluster = plan.clusters.set_index("cluster_id").loc[result.options.cluster_id]

    def siting_map() -> folium.Map:
        shown = holder()
        if shown is None:  # let go since the page was drawn: the whole page says so
            st.rerun(scope="app")
        return build_siting_map(
            shown,
            plan.parks,
            plan.districts,
            basemap=chosen_basemap(),
            lang=lang,
            overlay=lambda datum: shared_image(result_key, datum, shown),
        )

    map_with_export(
        siting_map,
        map_key="siting_map",
        export_key="siting_export",
        title=tr("siting.export_title", cluster=local(cluster["short_zh"], cluster["short_en"])),
        subtitle=tr("siting.export_subtitle"),
    )
    results_section(result)
    exports(holder, result_key, stem=f"zgc_site_{result.options.cluster_id}")


def results_section(result: SitingResult) -> None:
    """The ranked table, tied plots, a score comparison, robustness in words and a chart."""
    lang = current_lang()
    ranked = result.candidates
    shown = [
        "rank",
        "tied",
        "plot_id",
        "name",
        "score",
        *[f"contrib_{s.id}" for s in result.specs],
        "failed_constraints",
    ]
    contributions = {f"contrib_{s.id}": factor_name(s) for s in result.specs}
    table = ranked[[c for c in shown if c in ranked.columns]].copy()
    if "failed_constraints" in table.columns:
        table["failed_constraints"] = table["failed_constraints"].map(
            lambda codes: join_names(lang, [constraint_name(c, lang) for c in codes]) if codes else ""
        )
    show_table(
        table,
        RANKING_HEADINGS,
        config={
            "tied": st.column_config.CheckboxColumn(tr("siting.col.tied")),
            **{
                c: st.column_config.NumberColumn(tr("siting.col.points", factor=n))
                for c, n in contributions.items()
            },
        },
        height=360,
    )
    ties = explain_ties(ranked, result.specs, resolution_m=result.grid.resolution_m, lang=lang)
    if ties:
        st.markdown(f"**{escaped(tr('siting.ties_heading'))}**")
        for line in ties:
            st.markdown(f"- {escaped(line)}")
    ids = ranked["plot_id"].tolist()
    names = plot_names(ranked)
    cols = st.columns(2)
    pick_plot = names.__getitem__  # a plot by its name, its id after it
    a = cols[0].selectbox(tr("siting.why_a"), ids, index=0, key="why_a", format_func=pick_plot)
    b = cols[1].selectbox(
        tr("siting.why_b"), ids, index=min(1, len(ids) - 1), key="why_b", format_func=pick_plot
    )
    if a != b:
        labels = {s.id: factor_name(s) for s in result.specs}
        constraints = {c: constraint_name(c, lang) for c in CONSTRAINTS}
        for line in explain_difference(
            ranked.set_index("plot_id"),
            a,
            b,
            labels=names,
            factor_labels=labels,
            constraint_labels=constraints,
            lang=lang,
        ):
            st.write(line)
    if result.sensitivity is not None:
        sens = result.sensitivity
        st.subheader(tr("siting.robustness", pct=sens.perturb_pct, runs=sens.runs))
        st.info(sens.verdict_in(lang))
        for statement in sens.statements_in(lang):
            st.write(f"- {statement}")
        st.altair_chart(robustness_chart(result), width="stretch")


def robustness_chart(result: SitingResult) -> alt.Chart:
    """P(top N) per candidate, best base rank first; each bar labelled so that no two look alike.

    Vega cuts long axis labels to a common prefix ("闲置工业地块10…" for every plot of a numbered
    series), so the label is built here instead: the name shortened in the middle, which keeps
    its distinguishing end, then the plot id; and the axis never truncates it.
    """
    assert result.sensitivity is not None
    sens = result.sensitivity
    top = sens.candidates.head(CHART_BARS)
    names = plot_names(result.candidates, CHART_NAME_CHARS)
    data = pd.DataFrame(
        {
            "plot": [names.get(str(pid), str(pid)) for pid in top.index],
            "p_top_n": top["p_top_n"].to_numpy(dtype=float),
        }
    )
    title = tr("siting.p_top", n=sens.top_n)
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("p_top_n:Q", title=title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            y=alt.Y("plot:N", sort=None, title=None, axis=alt.Axis(labelLimit=0)),
            tooltip=[
                alt.Tooltip("plot:N", title=tr("siting.col.name")),
                alt.Tooltip("p_top_n:Q", title=title, format=".0%"),
            ],
        )
    )


def plot_names(ranked: pd.DataFrame, max_chars: int | None = None) -> dict[str, str]:
    """Per plot id: ``name (plot_id)`` (the id alone without a name), the name cut to ``max_chars``."""
    names = ranked["name"] if "name" in ranked.columns else pd.Series(None, index=ranked.index)
    return {
        str(pid): plot_label(name, str(pid), max_chars)
        for pid, name in zip(ranked["plot_id"], names, strict=True)
    }


def plot_label(name: object, plot_id: str, max_chars: int | None = None) -> str:
    """``name (plot_id)``; a name over ``max_chars`` is shortened in the middle, so its numbered end stays."""
    if not isinstance(name, str) or not name.strip() or name.strip() == plot_id:
        return plot_id
    text = name.strip()
    if max_chars is not None and len(text) > max_chars:
        head = max_chars // 2
        text = f"{text[:head]}…{text[-(max_chars - head - 1) :]}"
    return f"{text} ({plot_id})"


def exports(holder: Callable[[], SitingResult | None], result_key: str, stem: str) -> None:
    """Suitability GeoTIFF and the ranked candidates (GeoPackage, XLSX with parameters and robustness).

    Each file is made when it is asked for (a GeoTIFF and two workbooks take seconds; most results are only
    looked at), once per result and language however many sessions ask: the process keeps the last few by
    the result's key (:data:`~zgc_geo.ui.siting_runs.EXPORT_FILES`).
    """
    lang = current_lang()
    files = (
        (tr("siting.download_tif"), f"{stem}.tif", "image/tiff"),
        *((tr("siting.download_ranked", suffix=s), f"{stem}_ranked{s}", None) for s in (".gpkg", ".xlsx")),
    )
    for col, (label, name, mime) in zip(st.columns(3), files, strict=True):

        def make(name: str = name) -> bytes:
            return EXPORT_FILES.get((result_key, lang, name), lambda: _export_file(_held(holder), name, lang))

        col.download_button(label, make, name, mime)


def _held(holder: Callable[[], SitingResult | None]) -> SitingResult:
    result = holder()
    if result is None:
        raise OptionError(tr("siting.result_released"))
    return result


def _export_file(result: SitingResult, name: str, lang: Lang) -> bytes:
    """The download ``name`` (a ``.tif`` surface, or the ranking as ``.gpkg`` / ``.xlsx``) in ``lang``."""
    with tempfile.TemporaryDirectory(prefix="zgc-geo-site-") as scratch:
        target = Path(scratch) / name
        if target.suffix == ".tif":
            return write_suitability_geotiff(target, result.grid, result.suitability).read_bytes()
        tables = {"parameters": result.parameters(lang)}
        if result.sensitivity is not None:
            tables["robustness"] = result.sensitivity.candidates.reset_index()
        write_layer(result.named_candidates(lang), target, tables=tables, lang=lang)
        return target.read_bytes()


def extra_factors() -> list[tuple[FactorSpec, Any]]:
    """The user's own factor layers: distance to a vector layer's features, or a GeoTIFF's values."""
    extra: list[tuple[FactorSpec, Any]] = []
    with st.expander(tr("siting.extra_factors")):
        vector = uploaded_frame(tr("siting.vector_layer"), "site_extra_vector", "layer")
        if vector is not None:
            cols = st.columns(4)
            label = cols[0].text_input(
                tr("siting.factor_name"), tr("siting.default_vector_name"), key="x_vec_label"
            )
            direction = cols[1].selectbox(
                tr("siting.direction"),
                DIRECTIONS,
                format_func=tr_map(DIRECTION_LABELS).__getitem__,
                key=kept("x_vec_dir"),
            )
            lower = cols[2].number_input(tr("siting.lower_m"), min_value=0.0, value=500.0, key="x_vec_lower")
            upper = cols[3].number_input(tr("siting.upper_m"), min_value=1.0, value=3000.0, key="x_vec_upper")
            spec = FactorSpec(
                "user_distance",
                label,
                label,
                "distance",
                direction,
                lower,
                upper,
                "m",
                "layer uploaded by the user",
            )
            extra.append((spec, to_analysis_crs(vector).geometry.to_numpy()))
        raster = st.file_uploader(tr("siting.raster_layer"), type=["tif", "tiff"], key="site_extra_raster")
        if raster is not None:
            path = _session_file(raster.name, raster.getvalue())
            cols = st.columns(4)
            label = cols[0].text_input(tr("siting.factor_name"), Path(raster.name).stem, key="x_tif_label")
            direction = cols[1].selectbox(
                tr("siting.direction"),
                DIRECTIONS,
                format_func=tr_map(DIRECTION_LABELS).__getitem__,
                key=kept("x_tif_dir"),
            )
            lower = cols[2].number_input(tr("siting.lower"), value=0.0, key="x_tif_lower")
            upper = cols[3].number_input(tr("siting.upper"), value=100.0, key="x_tif_upper")
            spec = FactorSpec(
                "user_raster",
                label,
                label,
                "raster",
                direction,
                lower,
                upper,
                "raster units",
                f"GeoTIFF uploaded by the user ({raster.name})",
            )
            extra.append((spec, path))
    return extra


def _session_file(name: str, data: bytes) -> Path:
    """Keep an upload on disk for this session (rasterio reads files, not bytes); same bytes, same file."""
    folder = st.session_state.setdefault("site_scratch", tempfile.mkdtemp(prefix="zgc-geo-site-upload-"))
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name) or "factor.tif"
    path = Path(folder) / safe
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    return path
