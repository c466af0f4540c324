"""Vectorised conversion between WGS84 and the Chinese web-map datums GCJ-02 and BD-09."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from zgc_geo.errors import CRSError, DatumError

if TYPE_CHECKING:
    import geopandas as gpd
    import pyproj

Datum = Literal["wgs84", "gcj02", "bd09"]
DATUMS: tuple[Datum, ...] = get_args(Datum)

FloatArray = NDArray[np.float64]
LonLat = tuple[FloatArray, FloatArray]

# Keys are lower-cased with "-", "_" and spaces removed, so "GCJ-02" and "gcj_02" both match.
_ALIASES: dict[str, Datum] = {
    "wgs84": "wgs84",
    "epsg:4326": "wgs84",
    "gcj02": "gcj02",
    "bd09": "bd09",
}

# Krasovsky 1940 ellipsoid, as in the published GCJ-02 algorithm: the constants must match it
# exactly for our output to agree with Amap/Tencent to the last digit.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

# 1e-9 degree is ~0.1 mm; each fixed-point step shrinks the error ~200x, so 10 is a safe cap.
_TOL = 1e-9
_MAX_ITER = 10


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    x, y = np.broadcast_arrays(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
    return x, y


def _out(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    # Arithmetic on 0-d arrays yields numpy scalars; re-wrap so callers always get ndarrays.
    return np.asarray(lon, np.float64), np.asarray(lat, np.float64)


def _transform_lat(x: FloatArray, y: FloatArray) -> FloatArray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: FloatArray, y: FloatArray) -> FloatArray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _invert(
    forward: Callable[[FloatArray, FloatArray], LonLat],
    lon: FloatArray,
    lat: FloatArray,
    x: FloatArray,
    y: FloatArray,
) -> LonLat:
    # x <- x - (f(x) - target): the shifts are nearly constant over a few hundred metres,
    # so f is almost a pure translation and this plain fixed point converges like Newton.
    for _ in range(_MAX_ITER):
        fx, fy = forward(x, y)
        dx, dy = fx - lon, fy - lat
        x, y = x - dx, y - dy
        # NaN > tol is False, so NaN points neither block convergence nor raise.
        if not (np.any(np.abs(dx) > _TOL) or np.any(np.abs(dy) > _TOL)):
            break
    return _out(x, y)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Shift WGS84 lon/lat to GCJ-02 ("Mars coordinates", used by Amap and Tencent).

    GCJ-02 is a deliberate non-linear obfuscation required for maps published in China
    (500-620 m around Beijing). Like the web maps, it is only applied inside the customary
    mainland bounding box; points outside it are returned unchanged.

    Parameters
    ----------
    lon, lat : array_like
        WGS84 degrees; broadcast against each other.

    Returns
    -------
    (lon, lat) : tuple of ndarray
        GCJ-02 degrees, float64; scalar input gives 0-d arrays. NaN in gives NaN out.
    """
    x, y = _as_arrays(lon, lat)
    with np.errstate(invalid="ignore"):  # inf is masked out below but still reaches sin()
        dlat = _transform_lat(x - 105.0, y - 35.0)
        dlon = _transform_lon(x - 105.0, y - 35.0)
        radlat = y / 180.0 * np.pi
        magic = 1.0 - _EE * np.sin(radlat) ** 2
        sqrtmagic = np.sqrt(magic)
        dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
        dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    # NaN compares False, so NaN counts as inside and propagates through the offsets.
    outside = (x < 72.004) | (x > 137.8347) | (y < 0.8293) | (y > 55.8271)
    return _out(np.where(outside, x, x + dlon), np.where(outside, y, y + dlat))


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Recover WGS84 lon/lat from GCJ-02.

    GCJ-02 has no closed-form inverse, and the common one-step inverse
    (``gcj - offset(gcj)``) is off by up to ~3.4 m around Beijing. So this iterates on
    :func:`wgs84_to_gcj02`, all points at once, until every residual is below 1e-9 degree
    (~0.1 mm). Points outside the mainland bounding box come back unchanged.

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 degrees; broadcast against each other.

    Returns
    -------
    (lon, lat) : tuple of ndarray
        WGS84 degrees, float64; scalar input gives 0-d arrays. NaN in gives NaN out.
    """
    x, y = _as_arrays(lon, lat)
    return _invert(wgs84_to_gcj02, x, y, x, y)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Shift GCJ-02 lon/lat to Baidu's BD-09.

    BD-09 is a second obfuscation Baidu layers on top of GCJ-02. It has no China mask,
    so, as in Baidu's own SDK, it is applied everywhere.

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 degrees; broadcast against each other.

    Returns
    -------
    (lon, lat) : tuple of ndarray
        BD-09 degrees, float64; scalar input gives 0-d arrays.
    """
    x, y = _as_arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return _out(z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Recover GCJ-02 lon/lat from Baidu BD-09.

    The widely published inverse merely flips the signs of the perturbations and is off
    by up to ~0.16 m around Beijing. It serves only as the starting guess; iterating on
    :func:`gcj02_to_bd09` then brings every residual below 1e-9 degree.

    Parameters
    ----------
    lon, lat : array_like
        BD-09 degrees; broadcast against each other.

    Returns
    -------
    (lon, lat) : tuple of ndarray
        GCJ-02 degrees, float64; scalar input gives 0-d arrays.
    """
    x, y = _as_arrays(lon, lat)
    bx, by = x - 0.0065, y - 0.006
    z = np.sqrt(bx * bx + by * by) - 0.00002 * np.sin(by * _X_PI)
    theta = np.arctan2(by, bx) - 0.000003 * np.cos(bx * _X_PI)
    return _invert(gcj02_to_bd09, x, y, z * np.cos(theta), z * np.sin(theta))


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Shift WGS84 lon/lat to BD-09, via GCJ-02 because that is how Baidu defines BD-09.

    Parameters
    ----------
    lon, lat : array_like
        WGS84 degrees; broadcast against each other.

    Returns
    -------
    (lon, lat) : tuple of ndarray
        BD-09 degrees, float64; scalar input gives 0-d arrays.
    """
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Recover WGS84 lon/lat from BD-09 via GCJ-02, both inverse steps iterated.

    Parameters
    ----------
    lon, lat : array_like
        BD-09 degrees; broadcast against each other.

    Returns
    -------
    (lon, lat) : tuple of ndarray
        WGS84 degrees, float64; scalar input gives 0-d arrays.
    """
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_CONVERTERS: dict[tuple[Datum, Datum], Callable[[ArrayLike, ArrayLike], LonLat]] = {
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("gcj02", "bd09"): gcj02_to_bd09,
    ("bd09", "gcj02"): bd09_to_gcj02,
    ("wgs84", "bd09"): wgs84_to_bd09,
    ("bd09", "wgs84"): bd09_to_wgs84,
}


def normalize_datum(name: str) -> Datum:
    """Map a datum name such as "GCJ-02", "EPSG:4326" or "bd09" to a :data:`Datum`.

    Raises
    ------
    DatumError
        If the name is not recognised; the message lists the valid options.
    """
    key = name.strip().lower() if isinstance(name, str) else ""
    key = key.replace("-", "").replace("_", "").replace(" ", "")
    if key not in _ALIASES:
        raise DatumError(
            f"Unknown datum {name!r}; valid options are {', '.join(DATUMS)} "
            "(case-insensitive; also WGS-84, EPSG:4326, GCJ-02, BD-09)."
        )
    return _ALIASES[key]


def convert_coords(lon: ArrayLike, lat: ArrayLike, source: str, target: str) -> LonLat:
    """Convert lon/lat between any two of WGS84, GCJ-02 and BD-09.

    Parameters
    ----------
    lon, lat : array_like
        Degrees in the ``source`` datum; broadcast against each other.
    source, target : str
        Datum names, see :func:`normalize_datum`.

    Returns
    -------
    (lon, lat) : tuple of ndarray
        New float64 arrays even if ``source == target``, so callers may mutate them.

    Raises
    ------
    DatumError
        If either name is unknown.
    """
    src, dst = normalize_datum(source), normalize_datum(target)
    if src == dst:
        x, y = _as_arrays(lon, lat)
        return x.copy(), y.copy()
    return _CONVERTERS[(src, dst)](lon, lat)


def _check_lonlat_crs(crs: pyproj.CRS | None) -> None:
    hint = (
        "reproject to EPSG:4326 first, e.g. gdf.to_crs('EPSG:4326') "
        "(GCJ-02/BD-09 data is always stored as EPSG:4326-labelled lon/lat)"
    )
    if crs is None:
        raise CRSError(
            f"convert_geodataframe needs lon/lat degrees, but the frame's CRS is None; set or {hint}."
        )
    # WGS84 and CGCS2000 (EPSG:4490) lon/lat agree to well under a metre; Beijing 1954 or
    # Xian 1980 lon/lat differ by tens of metres, and projected metres would be garbled.
    if not (
        crs.is_geographic
        and crs.axis_info[0].unit_name == "degree"
        and crs.ellipsoid is not None
        and abs(crs.ellipsoid.semi_major_metre - 6378137.0) < 1.0
    ):
        raise CRSError(
            f"convert_geodataframe needs WGS84/CGCS2000 lon/lat degrees, but the "
            f"frame's CRS is {crs.to_string()} ({crs.name}); {hint}."
        )


def convert_geodataframe(gdf: gpd.GeoDataFrame, source: str, target: str) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` with its active geometry column converted between datums.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Geographic lon/lat frame (EPSG:4326, EPSG:4490 or equivalent). No EPSG code exists
        for GCJ-02/BD-09, so such data is labelled EPSG:4326 and the CRS alone cannot say
        which datum the numbers are in; ``source`` says that.
    source, target : str
        Datum names, see :func:`normalize_datum`.

    Returns
    -------
    geopandas.GeoDataFrame
        New frame labelled EPSG:4326. Points, lines, polygons with holes, multi-parts,
        Z, empty and missing geometries are all handled; ``gdf`` is never modified.

    Raises
    ------
    DatumError
        If either datum name is unknown.
    CRSError
        If the frame has no CRS or is not WGS84/CGCS2000-like geographic lon/lat.
    """
    src, dst = normalize_datum(source), normalize_datum(target)
    _check_lonlat_crs(gdf.crs)
    out = gdf.copy()
    if src != dst:
        convert = _CONVERTERS[(src, dst)]

        def _apply(x: FloatArray, y: FloatArray, *z: FloatArray) -> tuple[FloatArray, ...]:
            return (*convert(x, y), *z)

        # One call over every coordinate of every geometry keeps the work inside numpy;
        # include_z=None keeps Z per geometry rather than silently dropping it.
        out[gdf.geometry.name] = shapely.transform(
            np.asarray(gdf.geometry.array), _apply, include_z=None, interleaved=False
        )
    return out.set_crs("EPSG:4326", allow_override=True)
