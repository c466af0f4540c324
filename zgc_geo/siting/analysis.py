"""Cluster siting in one call: factors on a grid, suitability, candidate ranking, robustness."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from zgc_geo.crs import to_analysis_crs
from zgc_geo.errors import SitingError
from zgc_geo.i18n import Sentence, in_lang, pick, translate
from zgc_geo.plan_data import PlanData
from zgc_geo.siting.ahp import AhpResult
from zgc_geo.siting.factors import FactorSpec, cluster_factor_sources, cluster_factor_specs, factor_array
from zgc_geo.siting.grid import Grid, StudyKind, study_grid
from zgc_geo.siting.overlay import constraint_mask, weighted_overlay
from zgc_geo.siting.ranking import rank_candidates
from zgc_geo.siting.sensitivity import SensitivityResult, weight_sensitivity
from zgc_geo.siting.standardise import standardise
from zgc_geo.siting.zonal import zonal_means

#: Codes of the constraints the analysis itself checks, as stored in ``failed_constraints``; people
#: read them through :func:`constraint_name` (tables, maps, exports), in their language.
EXCLUSION: Final = "exclusion_zone"
PROTECTED: Final = "protected_area"
OUTSIDE: Final = "outside_study_area"
CONSTRAINT_NAMES: Final = {
    EXCLUSION: "siting.constraint.exclusion_zone",
    PROTECTED: "siting.constraint.protected_area",
    OUTSIDE: "siting.constraint.outside_study_area",
}
CONSTRAINTS: Final = tuple(CONSTRAINT_NAMES)
#: The stages of a run, as a progress bar names them (the factor stage: :attr:`Step.factor`).
STEP_NAMES: Final = {
    "grid": "siting.progress.grid",
    "overlay": "siting.progress.overlay",
    "candidates": "siting.progress.candidates",
    "sensitivity": "siting.progress.sensitivity",
    "done": "siting.progress.done",
}


def constraint_name(code: str, lang: str = "en") -> str:
    """A failed constraint as people read it in ``lang``; a name the user gave is shown as given."""
    return translate(CONSTRAINT_NAMES[code], lang) if code in CONSTRAINT_NAMES else code


@dataclass(frozen=True)
class Step:
    """A stage of a siting run, worded for a progress bar in either language (the analysis has no UI)."""

    key: str
    number: int = 0
    total: int = 0
    factor: FactorSpec | None = None

    def text(self, lang: str = "en") -> str:
        """The stage in ``lang``: ``Factor 2/3: Inside the Bio-health core parks``."""
        if self.factor is None:
            return translate(STEP_NAMES[self.key], lang)
        name = pick(lang, self.factor.label_zh, self.factor.label_en)
        return translate("siting.progress.factor", lang, number=self.number, total=self.total, factor=name)


Progress = Callable[[float, Step], None]


@dataclass(frozen=True)
class SitingOptions:
    """Everything a siting run depends on, so that a result can always say how it was made.

    ``extra`` adds (spec, source) pairs — a user's vector layer (EPSG:4548 geometries, a
    distance factor) or GeoTIFF path (a raster factor). ``specs``, when given, is the full list
    of factors to use (the defaults with edited thresholds plus the extra ones).
    Weights come from ``ahp`` when given, else ``weights``, else are equal.
    """

    cluster_id: str
    study_area: StudyKind = "parks"
    resolution_m: float = 30.0
    specs: tuple[FactorSpec, ...] | None = None
    extra: tuple[tuple[FactorSpec, Any], ...] = ()
    weights: Mapping[str, float] | None = None
    ahp: AhpResult | None = None
    exclusions: gpd.GeoDataFrame | None = None
    protected: gpd.GeoDataFrame | None = None
    top_n: int = 10
    perturb_pct: float = 20.0
    runs: int = 1000
    seed: int = 0


@dataclass
class SitingResult:
    """The suitability surface, the ranked candidates (EPSG:4326) and how robust the ranking is."""

    grid: Grid
    suitability: np.ndarray
    specs: list[FactorSpec]
    weights: pd.Series
    candidates: gpd.GeoDataFrame
    sensitivity: SensitivityResult | None
    options: SitingOptions
    notes: list[Sentence] = field(default_factory=list)
    #: The cluster's name per language (``{"zh": …, "en": …}``); its id when absent.
    cluster_names: Mapping[str, str] = field(default_factory=dict)

    def parameters(self, lang: str = "en") -> pd.DataFrame:
        """The run's parameters as a table in ``lang`` (exported next to the ranking).

        Each row names what it is in words (a factor by its name); codes such as the cluster's or a
        factor's id only follow in ``detail``.
        """
        cluster = self.cluster_names.get(lang) or self.options.cluster_id
        cells = translate("siting.param.cells", lang, width=self.grid.width, height=self.grid.height)
        names = {s.id: str(pick(lang, s.label_zh, s.label_en)) for s in self.specs}
        rows = [
            (translate("siting.cluster", lang), cluster, self.options.cluster_id),
            (translate("siting.study_area", lang), translate(STUDY_AREAS[self.options.study_area], lang), ""),
            (translate("siting.param.resolution", lang), f"{self.grid.resolution_m:g} m", cells),
            (translate("siting.weight", lang), *self._weighting(lang)),
            *(
                (translate("siting.param.factor", lang, factor=names[s.id]), _ramp(s, lang), _source(s, lang))
                for s in self.specs
            ),
            *(
                (translate("siting.param.weight", lang, factor=names.get(str(k), str(k))), f"{v:.4f}", str(k))
                for k, v in self.weights.items()
            ),
            (
                translate("siting.param.sensitivity", lang),
                translate(
                    "siting.param.runs", lang, pct=f"{self.options.perturb_pct:g}", runs=self.options.runs
                ),
                "",
            ),
            *((translate("siting.param.note", lang), n.text(lang), "") for n in self.notes),
        ]
        return pd.DataFrame(rows, columns=["parameter", "value", "detail"])

    def named_candidates(self, lang: str = "en") -> gpd.GeoDataFrame:
        """The ranked candidates as exported: failed constraints by name in ``lang``, not by code."""
        named = self.candidates.copy()
        named["failed_constraints"] = [
            [constraint_name(str(code), lang) for code in codes] if isinstance(codes, list | tuple) else codes
            for codes in named["failed_constraints"]
        ]
        return named

    def _weighting(self, lang: str) -> tuple[str, str]:
        """How the weights were set, and for AHP the consistency ratio with its verdict."""
        ahp = self.options.ahp
        if ahp is None:
            return translate("siting.param.weights_direct", lang), ""
        key = "siting.param.cr_consistent" if ahp.consistent else "siting.param.cr_inconsistent"
        return translate("siting.param.weights_ahp", lang), translate(key, lang, cr=f"{ahp.cr:.3f}")


#: Study areas as the page names them.
STUDY_AREAS: Final = {"parks": "siting.area_parks", "beijing": "siting.area_beijing"}
DIRECTION_NAMES: Final = {"cost": "siting.direction_cost", "benefit": "siting.direction_benefit"}


def _ramp(spec: FactorSpec, lang: str) -> str:
    """``lower is better, 500–8000 m``: a factor's direction and thresholds in ``lang``."""
    unit = translate("siting.unit.raster", lang) if spec.unit == "raster units" else spec.unit
    comma = "，" if lang == "zh" else ", "
    return f"{translate(DIRECTION_NAMES[spec.direction], lang)}{comma}{spec.lower:g}–{spec.upper:g} {unit}"


def _source(spec: FactorSpec, lang: str) -> str:
    """A factor's id, then where its data come from, in ``lang`` (as :mod:`zgc_geo.siting.factors` says)."""
    return f"{spec.id} · {in_lang(spec.source_note, lang)}"


def resolve_weights(specs: Sequence[FactorSpec], options: SitingOptions) -> pd.Series:
    """Normalised weights per factor id: from AHP, else the direct entries, else equal."""
    ids = [s.id for s in specs]
    raw = options.ahp.weights_by_name if options.ahp is not None else options.weights
    if raw is None:
        raw = dict.fromkeys(ids, 1.0)
    unknown = sorted(set(raw) - set(ids))
    missing = sorted(set(ids) - set(raw))
    if unknown or missing:
        raise SitingError(
            "weights do not match the factors: "
            + "; ".join(
                part
                for part in (
                    f"unknown {', '.join(unknown)}" if unknown else "",
                    f"missing {', '.join(missing)}" if missing else "",
                )
                if part
            )
            + f" (factors: {', '.join(ids)})"
        )
    weights = pd.Series({i: float(raw[i]) for i in ids})
    if (weights < 0).any() or weights.sum() <= 0:
        raise SitingError(f"weights must be ≥ 0 and not all 0; got {weights.to_dict()}")
    return weights / weights.sum()


def site_cluster(
    plan: PlanData, candidates: gpd.GeoDataFrame, options: SitingOptions, progress: Progress | None = None
) -> SitingResult:
    """Suitability for ``options.cluster_id`` and a defensible ranking of ``candidates``.

    Candidates (idle plots or uploaded sites, with a ``plot_id``) are scored by the mean of
    each standardised factor over their cells, so each candidate's score splits into factor
    contributions; candidates overlapping an exclusion or protected area, or outside the study
    area, are listed with the constraint they fail.
    """
    report = progress or (lambda _share, _text: None)
    if "plot_id" not in candidates.columns or candidates.empty:
        raise SitingError("candidates need a plot_id column and at least one feature")
    extra_specs = [spec for spec, _ in options.extra]
    specs = (
        list(options.specs)
        if options.specs
        else [*cluster_factor_specs(plan, options.cluster_id), *extra_specs]
    )
    sources: dict[str, Any] = dict(cluster_factor_sources(plan, options.cluster_id))
    sources |= {spec.id: source for spec, source in options.extra}
    unsourced = [spec.id for spec in specs if spec.id not in sources]
    if unsourced:
        raise SitingError(f"no data for factor(s) {', '.join(unsourced)}: add their layer as an extra factor")
    weights = resolve_weights(specs, options)
    report(0.05, Step("grid"))
    grid, inside = study_grid(plan, options.study_area, options.resolution_m)
    standardised: dict[str, np.ndarray] = {}
    for number, spec in enumerate(specs, start=1):
        report(0.05 + 0.6 * number / len(specs), Step("factor", number, len(specs), spec))
        raw = factor_array(spec, grid, sources[spec.id])
        standardised[spec.id] = standardise(raw, spec.direction, spec.lower, spec.upper, out=raw)
    report(0.7, Step("overlay"))
    masks = _constraint_masks(grid, options)
    blocked = np.logical_or.reduce([*masks.values(), np.zeros(grid.shape, dtype=bool)])
    suitability = weighted_overlay(standardised, weights.to_dict(), blocked, inside=inside)
    report(0.8, Step("candidates"))
    ranked = _rank(
        grid,
        standardised=standardised,
        suitability=suitability,
        masks=masks,
        inside=inside,
        candidates=candidates,
        weights=weights,
    )
    report(0.9, Step("sensitivity"))
    sensitivity = _sensitivity(ranked, specs, weights, options, candidates)
    report(1.0, Step("done"))
    notes = [] if options.specs else [Sentence("siting.param.note_centres")]
    cluster = plan.clusters.set_index("cluster_id").loc[options.cluster_id]
    names = {"zh": str(cluster["short_zh"]), "en": str(cluster["short_en"])}
    return SitingResult(grid, suitability, specs, weights, ranked, sensitivity, options, notes, names)


def _constraint_masks(grid: Grid, options: SitingOptions) -> dict[str, np.ndarray]:
    masks = {}
    if options.exclusions is not None and not options.exclusions.empty:
        masks[EXCLUSION] = constraint_mask(grid, to_analysis_crs(options.exclusions).geometry)
    if options.protected is not None and not options.protected.empty:
        # A protected area must not be built on at all: every cell it touches is excluded.
        masks[PROTECTED] = constraint_mask(
            grid, to_analysis_crs(options.protected).geometry, all_touched=True
        )
    return masks


def _rank(
    grid: Grid,
    *,
    standardised: Mapping[str, np.ndarray],
    suitability: np.ndarray,
    masks: Mapping[str, np.ndarray],
    inside: np.ndarray,
    candidates: gpd.GeoDataFrame,
    weights: pd.Series,
) -> gpd.GeoDataFrame:
    metric = to_analysis_crs(candidates).set_index(candidates["plot_id"].astype(str)).geometry
    arrays = {**standardised, "suitability_mean": suitability}
    arrays |= {f"share_{name}": mask.astype(np.float32) for name, mask in masks.items()}
    arrays["share_inside"] = inside.astype(np.float32)
    zonal = zonal_means(grid, arrays, metric)
    failed = pd.Series([[] for _ in range(len(zonal))], index=zonal.index, dtype=object)
    for name in masks:
        hit = zonal[f"share_{name}"].fillna(0) > 0
        failed[hit] = failed[hit].map(lambda names, n=name: [*names, n])
    outside = zonal["share_inside"].fillna(0) < 0.5
    failed[outside] = failed[outside].map(lambda names: [*names, OUTSIDE])
    ranking = rank_candidates(zonal[list(weights.index)], weights.to_dict(), constraints_failed=failed)
    attributes = candidates.assign(plot_id=candidates["plot_id"].astype(str)).set_index("plot_id")
    merged = attributes.join(ranking, how="left").join(zonal[["suitability_mean", "cell_count"]], how="left")
    merged = merged.join(zonal[list(weights.index)].add_prefix("factor_"), how="left")
    # Tied candidates share a rank; within it rows go by plot id, as in rank_candidates.
    return gpd.GeoDataFrame(
        merged.reset_index(), geometry=candidates.geometry.name, crs=candidates.crs
    ).sort_values(["rank", "plot_id"], na_position="last", kind="stable")


def _sensitivity(
    ranked: gpd.GeoDataFrame,
    specs: Sequence[FactorSpec],
    weights: pd.Series,
    options: SitingOptions,
    candidates: gpd.GeoDataFrame,
) -> SensitivityResult | None:
    scored = ranked[ranked["eligible"].fillna(False).astype(bool) & ranked["score"].notna()]
    if len(scored) < 2:
        return None
    scores = scored.set_index("plot_id")[[f"factor_{s.id}" for s in specs]]
    scores.columns = [s.id for s in specs]
    labels = _labels(scored)
    return weight_sensitivity(
        scores,
        weights.to_dict(),
        perturb_pct=options.perturb_pct,
        runs=options.runs,
        top_n=min(options.top_n, len(scores)),
        seed=options.seed,
        labels=labels,
    )


def _labels(frame: pd.DataFrame) -> dict[str, str]:
    """``name (plot_id)`` per plot; the id alone (it reads the same in every language) without a name."""
    names = frame["name"] if "name" in frame.columns else frame["plot_id"]
    return {
        str(pid): (f"{name} ({pid})" if isinstance(name, str) and name and name != pid else str(pid))
        for pid, name in zip(frame["plot_id"], names, strict=True)
    }
