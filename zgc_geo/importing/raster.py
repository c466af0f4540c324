"""Inspect a GeoTIFF factor layer from its metadata alone: CRS, extent, nodata, bands — never the pixels."""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import rasterio
import rasterio.errors
from pyproj import CRS
from rasterio._err import CPLE_BaseError  # GDAL's errors; rasterio does not re-export them
from rasterio.warp import transform_bounds

from zgc_geo.errors import UnreadableInputError
from zgc_geo.i18n import Sentence
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.report import Problem

Bounds = tuple[float, float, float, float]

#: Beijing–Tianjin–Hebei (京津冀) as lon/lat (west, south, east, north). A factor layer that misses
#: it entirely is either for another region or, far more often, carries a wrong CRS.
REGION_BOUNDS_WGS84: Final[Bounds] = (113.4, 36.0, 119.9, 42.7)

#: Classic and BigTIFF headers, little- and big-endian.
_TIFF_MAGIC: Final = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


@dataclass(frozen=True)
class RasterInfo:
    """What a GeoTIFF says about itself, plus the problems found in it.

    ``bounds`` are in the raster's own CRS (west, south, east, north); ``bounds_wgs84``
    is None when there is no CRS (or it cannot be transformed), because degrees
    made up from unknown units would only mislead.
    """

    crs: CRS | None
    bounds: Bounds
    bounds_wgs84: Bounds | None
    width: int
    height: int
    count: int
    dtype: str
    nodata: float | None
    resolution: tuple[float, float]
    problems: list[Problem] = field(default_factory=list)


def inspect_raster(path: Path, limits: ImportLimits | None = None) -> RasterInfo:
    """Read the header of a GeoTIFF and check it is usable as a factor layer here.

    Only metadata is read, so a 2 GB raster costs the same as a 2 kB one. Problems
    that make the layer unusable (no CRS, outside the region) are errors in
    ``problems``, not exceptions: the report shows them next to everything else.

    Raises
    ------
    UnreadableInputError
        The file is missing, not a TIFF, or corrupt.
    InputTooLargeError
        The file is over ``limits.max_file_mib``.
    """
    limits = limits or ImportLimits.from_env()
    path = Path(path)
    try:
        _check_file(path, limits)
        # Without a geotransform rasterio warns; that case is reported as a problem below.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
            # driver= restricts GDAL to GTiff: a renamed VRT (which can point anywhere) is refused.
            with rasterio.open(path, driver="GTiff") as src:
                georeferenced = not (src.transform.is_identity and not src.gcps[0])
                crs = CRS.from_user_input(src.crs.to_wkt()) if src.crs else None
                west, south, east, north = src.bounds
                raster = RasterInfo(
                    crs=crs,
                    bounds=(west, south, east, north),
                    bounds_wgs84=None,
                    width=src.width,
                    height=src.height,
                    count=src.count,
                    dtype=str(src.dtypes[0]),
                    nodata=src.nodata,
                    resolution=(float(src.res[0]), float(src.res[1])),
                )
    except (rasterio.errors.RasterioError, OSError, RuntimeError) as exc:
        raise UnreadableInputError(
            f"{path.name} is not a readable GeoTIFF ({exc}); export the layer again as GeoTIFF (.tif)"
        ) from None
    if crs is not None and georeferenced:
        raster = dataclasses.replace(raster, bounds_wgs84=_to_wgs84(path.name, raster))
    raster.problems.extend(_check(path.name, raster, georeferenced=georeferenced))
    return raster


def _check_file(path: Path, limits: ImportLimits) -> None:
    if not path.is_file():
        raise UnreadableInputError(f"{path}: no such file")
    limits.check_file_size(path.name, path.stat().st_size)
    with path.open("rb") as fh:
        head = fh.read(4)
    if not head.startswith(_TIFF_MAGIC):
        raise UnreadableInputError(
            f"{path.name} is not a GeoTIFF: it starts with {head!r} instead of a TIFF header; "
            "export the layer as GeoTIFF (.tif)"
        )


def _to_wgs84(name: str, raster: RasterInfo) -> Bounds | None:
    try:
        west, south, east, north = transform_bounds(raster.crs, "EPSG:4326", *raster.bounds, densify_pts=21)
    except (rasterio.errors.RasterioError, CPLE_BaseError, ValueError) as exc:
        message = f"{name}: the extent cannot be shown in lon/lat ({exc})"
        text, page_hint = (
            Sentence("import.problem.bounds_unprojectable"),
            Sentence("import.page_hint.raster_crs"),
        )
        problem = Problem(
            "warning", "bounds_unprojectable", message, "check the CRS", text=text, page_hint=page_hint
        )
        raster.problems.append(problem)
        return None
    return (west, south, east, north)


def _check(name: str, raster: RasterInfo, *, georeferenced: bool) -> list[Problem]:
    problems: list[Problem] = []
    crs, wgs84 = raster.crs, raster.bounds_wgs84
    if not georeferenced:
        problems.append(
            Problem(
                "error",
                "not_georeferenced",
                f"{name}: the raster has no geotransform, so its pixels have no position",
                "georeference it in QGIS / ArcGIS and export it again as GeoTIFF",
                text=Sentence("import.problem.not_georeferenced"),
                page_hint=Sentence("import.page_hint.not_georeferenced"),
            )
        )
    if crs is None:
        problems.append(
            Problem(
                "error",
                "crs_missing",
                f"{name}: the raster declares no coordinate reference system",
                "assign it in QGIS / ArcGIS (e.g. EPSG:4548 for CGCS2000 GK CM 117E, EPSG:4326 for "
                "lon/lat) and export again",
                text=Sentence("import.problem.raster_crs_missing"),
                page_hint=Sentence("import.page_hint.raster_crs_missing"),
            )
        )
    elif crs.is_geographic:
        problems.append(
            Problem(
                "info",
                "crs_geographic",
                f"{name}: the raster is in degrees ({crs.name}); it will be resampled to metres for analysis",
                text=Sentence("import.problem.raster_geographic", {"crs": crs.name}),
            )
        )
    if raster.nodata is None:
        problems.append(
            Problem(
                "warning",
                "nodata_missing",
                f"{name}: no nodata value is set, so empty cells will be read as real values",
                "set the nodata value (e.g. -9999) when exporting",
                text=Sentence("import.problem.nodata_missing"),
                page_hint=Sentence("import.page_hint.nodata_missing"),
            )
        )
    if raster.count > 1:
        problems.append(
            Problem(
                "info",
                "multiband",
                f"{name}: the raster has {raster.count} bands; a factor layer usually has one",
                "make sure the band holding the factor is the one used",
                text=Sentence("import.problem.multiband", {"count": raster.count}),
                page_hint=Sentence("import.page_hint.multiband"),
            )
        )
    if wgs84 is not None and not _intersects(wgs84, REGION_BOUNDS_WGS84):
        west, south, east, north = wgs84
        shown = f"lon {west:.3f}–{east:.3f}, lat {south:.3f}–{north:.3f}"
        problems.append(
            Problem(
                "error",
                "raster_outside_region",
                f"{name}: the raster covers {shown}, outside Beijing–Tianjin–Hebei "
                "(lon 113.4–119.9, lat 36.0–42.7)",
                "check the CRS: a wrong CRS is the usual cause; otherwise this is the wrong file",
                value=shown,
                text=Sentence("import.problem.raster_outside_region", {"extent": shown}),
                page_hint=Sentence("import.page_hint.raster_crs"),
            )
        )
    return problems


def _intersects(a: Bounds, b: Bounds) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]
