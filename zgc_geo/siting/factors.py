"""Suitability factors: what each one measures, its thresholds, and its raw values on a grid.

A :class:`FactorSpec` is the record a planner reads to understand a factor (bilingual label,
unit, direction, the two thresholds of its linear ramp, where its data come from);
:func:`factor_array` turns a spec plus its source (vector geometries or a GeoTIFF) into raw values
on a :class:`~zgc_geo.siting.grid.Grid`, and :mod:`zgc_geo.siting.standardise` maps those to 0–1.

Default factors for a cluster (:func:`cluster_factor_specs`) come from the plan itself: distance
to the cluster's feature parks, inside the cluster's core parks, distance to any of the 16
parks. The plan also names innovation centres per cluster (§五(一)) but gives them **no site**,
so "distance to the cluster's innovation centres" exists only when the user supplies a layer of
their locations: :func:`innovation_centre_spec` describes that factor, and it is not among the
defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import rasterio
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window

from zgc_geo.crs import to_analysis_crs
from zgc_geo.errors import SitingError
from zgc_geo.export.worded import CodeName
from zgc_geo.i18n import Both, Joined, Sentence
from zgc_geo.importing.raster import inspect_raster
from zgc_geo.plan_data import PlanData
from zgc_geo.siting.distance import Method, distance_to
from zgc_geo.siting.grid import Grid, metric_geometries
from zgc_geo.siting.standardise import DIRECTIONS, Direction, check_thresholds

Kind = Literal["distance", "inside", "raster"]
KINDS: Final = ("distance", "inside", "raster")
RESAMPLINGS: Final = ("nearest", "bilinear", "cubic", "average", "mode", "min", "max", "med")

#: Default thresholds (metres). Within 500 m of a feature park a site shares its roads and
#: services (score 1); 8 km is roughly a 20-minute drive across the city, beyond which the
#: cluster link is no longer an everyday one (score 0). Any park within 1 km is next door; 5 km is
#: where a park's pull on suppliers and staff has faded.
FEATURE_PARK_NEAR_M: Final = 500.0
FEATURE_PARK_FAR_M: Final = 8000.0
PARK_NEAR_M: Final = 1000.0
PARK_FAR_M: Final = 5000.0
INNOVATION_CENTRE_NEAR_M: Final = 1000.0
INNOVATION_CENTRE_FAR_M: Final = 10000.0
#: GeoTIFFs are warped onto the grid in windows of this many rows, so a 10 m grid of all of
#: Beijing never needs a second full-size array.
_WARP_ROWS: Final = 1024


@dataclass(frozen=True)
class FactorSpec:
    """One suitability factor as a planner reads it.

    Parameters
    ----------
    id
        Key used for weights and output columns (``near_feature_parks`` …).
    label_zh, label_en
        Labels for tables and maps.
    kind
        ``"distance"`` (metres to the nearest feature of a vector layer), ``"inside"`` (1 in a
        polygon, else 0) or ``"raster"`` (a user GeoTIFF resampled onto the grid).
    direction
        ``"benefit"`` (more is better) or ``"cost"`` (less is better).
    lower, upper
        Ramp thresholds in ``unit``, lower < upper (see :func:`~zgc_geo.siting.standardise.standardise`).
        For distance factors ``upper`` is also the distance cap: beyond it the score is constant.
    unit
        Unit of the raw values and thresholds (``m``, ``0/1``, the raster's unit …).
    source_note
        Where the data come from and how reliable they are, shown next to the result: a
        :class:`~zgc_geo.i18n.Sentence` for the built-in factors (worded in the reader's language), the
        user's own text for theirs.
    """

    id: str
    label_zh: str
    label_en: str
    kind: Kind
    direction: Direction
    lower: float
    upper: float
    unit: str
    source_note: str | Sentence

    def __post_init__(self) -> None:
        if not self.id:
            raise SitingError("a factor needs a non-empty id (it keys the weights).")
        if self.kind not in KINDS:
            raise SitingError(f"factor {self.id}: kind {self.kind!r} is not one of {', '.join(KINDS)}.")
        if self.direction not in DIRECTIONS:
            raise SitingError(
                f"factor {self.id}: direction {self.direction!r} is not one of {', '.join(DIRECTIONS)}."
            )
        check_thresholds(self.lower, self.upper, f"factor {self.id}")
        if self.kind == "distance" and self.lower < 0:
            raise SitingError(
                f"factor {self.id}: distance thresholds must be ≥ 0 m (lower = {self.lower:g})."
            )

    @property
    def max_distance_m(self) -> float:
        """Distance cap for a distance factor: past ``upper`` the standardised score no longer changes."""
        return float(self.upper)


# --------------------------------------------------------------------------------------------- specs
def cluster_factor_specs(plan: PlanData, cluster_id: str) -> list[FactorSpec]:
    """Default factors for siting in one innovation cluster, from the plan's own layers.

    Distance to the cluster's feature parks (cost, 500 m → 1, 8 km → 0), inside the cluster's
    core parks (benefit, 1 inside, 0 outside) and distance to any of the 16 parks (cost, 1 km → 1,
    5 km → 0). Innovation centres have no sites in the plan: see :func:`innovation_centre_spec`.
    Sources for these specs: :func:`cluster_factor_sources`.
    """
    cluster = _cluster(plan, cluster_id)
    name_zh, name_en = cluster["short_zh"], cluster["short_en"]
    return [
        FactorSpec(
            id="near_feature_parks",
            label_zh=f"距{name_zh}特色园区距离",
            label_en=f"Distance to the {name_en} feature parks",
            kind="distance",
            direction="cost",
            lower=FEATURE_PARK_NEAR_M,
            upper=FEATURE_PARK_FAR_M,
            unit="m",
            source_note=Sentence(
                "siting.data_source.feature_parks", {"count": len(_feature_parks(plan, cluster_id))}
            ),
        ),
        FactorSpec(
            id="in_core_parks",
            label_zh=f"位于{name_zh}核心园区内",
            label_en=f"Inside the {name_en} core parks",
            kind="inside",
            direction="benefit",
            lower=0.0,
            upper=1.0,
            unit="0/1",
            source_note=Sentence(
                "siting.data_source.core_parks",
                {"parks": Joined(tuple(CodeName("park", p) for p in cluster["core_park_ids"]), list_=True)},
            ),
        ),
        FactorSpec(
            id="near_parks",
            label_zh="距中关村园区距离",
            label_en="Distance to any Zhongguancun park",
            kind="distance",
            direction="cost",
            lower=PARK_NEAR_M,
            upper=PARK_FAR_M,
            unit="m",
            source_note=Sentence("siting.data_source.parks"),
        ),
    ]


def cluster_factor_sources(plan: PlanData, cluster_id: str) -> dict[str, np.ndarray]:
    """EPSG:4548 geometries for each spec of :func:`cluster_factor_specs`, keyed by factor id."""
    core = set(_cluster(plan, cluster_id)["core_park_ids"])
    parks = to_analysis_crs(plan.parks)
    return {
        "near_feature_parks": metric_geometries(to_analysis_crs(_feature_parks(plan, cluster_id))),
        "in_core_parks": metric_geometries(parks[parks["park_id"].isin(core)]),
        "near_parks": metric_geometries(parks),
    }


def innovation_centre_spec(plan: PlanData, cluster_id: str) -> FactorSpec:
    """Distance to the cluster's innovation centres: a factor only for a layer the user supplies.

    The plan names the centres (e.g. 大数据与人工智能创新中心) but not where they are, so zgc-geo
    has no geometry for them and this factor is not among the defaults; pass the user's layer of
    centre locations as the source to :func:`factor_array`.
    """
    cluster = _cluster(plan, cluster_id)
    centres = plan.innovation_centres[plan.innovation_centres["cluster_id"] == cluster_id]
    names = Joined(
        tuple(Both(zh, en) for zh, en in zip(centres["name_zh"], centres["name_en"], strict=True)), list_=True
    )
    return FactorSpec(
        id="near_innovation_centres",
        label_zh=f"距{cluster['short_zh']}创新中心距离",
        label_en=f"Distance to the {cluster['short_en']} innovation centres",
        kind="distance",
        direction="cost",
        lower=INNOVATION_CENTRE_NEAR_M,
        upper=INNOVATION_CENTRE_FAR_M,
        unit="m",
        source_note=Sentence("siting.data_source.centres", {"names": names}),
    )


# --------------------------------------------------------------------------------------------- values
def factor_array(
    spec: FactorSpec,
    grid: Grid,
    source: Any,
    *,
    workers: int | None = None,
    method: Method = "auto",
    checked: bool = False,
) -> np.ndarray:
    """Raw values of one factor on ``grid`` (float32, NaN = no data).

    Parameters
    ----------
    source
        For ``distance`` and ``inside`` factors: geometries in EPSG:4548 (GeoSeries, GeoDataFrame
        or array). For ``raster`` factors: the path of a GeoTIFF, resampled bilinearly.
    workers, method
        Threads and method for distance factors (see :func:`~zgc_geo.siting.distance.distance_to`).
    checked
        The GeoTIFF source has already passed :func:`check_geotiff` (skips re-reading its header
        for every block of a streamed run).
    """
    if spec.kind == "raster":
        if not isinstance(source, str | Path):
            raise SitingError(f"factor {spec.id} is a raster factor: its source must be a GeoTIFF path.")
        return warp_geotiff(Path(source), grid) if checked else resample_geotiff(Path(source), grid)
    if isinstance(source, str | Path):
        raise SitingError(
            f"factor {spec.id} is a {spec.kind} factor: pass its geometries (read the file with "
            "zgc_geo.importing first and reproject to EPSG:4548), not a path."
        )
    geoms = metric_geometries(source, f"factor {spec.id}")
    if spec.kind == "inside":
        return inside_mask(grid, geoms).astype(np.float32)
    return distance_to(grid, geoms, max_distance_m=spec.max_distance_m, workers=workers, method=method)


def inside_mask(grid: Grid, polygons: Any) -> np.ndarray:
    """True in cells whose centre lies inside any of the polygons (EPSG:4548)."""
    return grid.burn(metric_geometries(polygons, "polygon layer"), all_touched=False)


def resample_geotiff(path: Path, grid: Grid, resampling: str = "bilinear", band: int = 1) -> np.ndarray:
    """A GeoTIFF reprojected and resampled onto ``grid``: float32, NaN for nodata and outside the file.

    The file is first checked with :func:`zgc_geo.importing.raster.inspect_raster`; any error it
    reports (no CRS, no georeferencing, outside Beijing–Tianjin–Hebei) is raised with the
    importer's own message, since warping a raster without a CRS would place it anywhere. Pixels
    are warped through a GDAL warped VRT in windows of rows, so memory stays at the output array.

    Parameters
    ----------
    resampling
        ``"bilinear"`` for continuous data (elevation, slope); ``"nearest"`` or ``"mode"`` for
        classes (land cover), whose codes must not be averaged.
    band
        1-based band number.
    """
    check_geotiff(path, band, resampling)
    return warp_geotiff(path, grid, resampling, band)


def check_geotiff(path: Path, band: int = 1, resampling: str = "bilinear") -> None:
    """Raise :class:`SitingError` with the importer's messages unless the GeoTIFF can be warped."""
    if resampling not in RESAMPLINGS:
        raise SitingError(f"resampling {resampling!r} is not one of {', '.join(RESAMPLINGS)}.")
    path = Path(path)
    info = inspect_raster(path)
    errors = [p for p in info.problems if p.severity == "error"]
    if errors:
        raise SitingError("; ".join(f"{p.message}: {p.hint}" if p.hint else p.message for p in errors))
    if not 1 <= band <= info.count:
        raise SitingError(f"{path.name} has {info.count} band(s); band {band} does not exist.")


def warp_geotiff(path: Path, grid: Grid, resampling: str = "bilinear", band: int = 1) -> np.ndarray:
    """The warp of :func:`resample_geotiff` without the check, for a file already checked once."""
    out = np.empty(grid.shape, dtype=np.float32)
    with (
        rasterio.open(path, driver="GTiff") as src,
        WarpedVRT(
            src,
            crs=grid.crs.to_wkt(),
            transform=grid.transform,
            width=grid.width,
            height=grid.height,
            resampling=Resampling[resampling],
            src_nodata=src.nodata,
            nodata=np.nan,
            dtype="float32",
        ) as vrt,
    ):
        for row in range(0, grid.height, _WARP_ROWS):
            window = Window(0, row, grid.width, min(_WARP_ROWS, grid.height - row))
            out[row : row + int(window.height)] = vrt.read(band, window=window)
    return out


# --------------------------------------------------------------------------------------------- plan look-ups
def _cluster(plan: PlanData, cluster_id: str) -> Mapping[str, Any]:
    match = plan.clusters[plan.clusters["cluster_id"] == cluster_id]
    if match.empty:
        known = ", ".join(plan.clusters["cluster_id"])
        raise SitingError(f"cluster {cluster_id!r} is not in the plan; choose one of {known}.")
    return match.iloc[0].to_dict()


def _feature_parks(plan: PlanData, cluster_id: str) -> Any:
    members = plan.feature_parks["cluster_ids"].map(lambda ids: cluster_id in list(ids))
    return plan.feature_parks[members.to_numpy(dtype=bool)]
