"""CRS decisions for imports: suggest from the numbers, resolve to WGS84, diagnose misplaced data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from pyproj import CRS, Transformer
from pyproj.transformer import AreaOfInterest, TransformerGroup

from zgc_geo.crs import STORAGE_CRS
from zgc_geo.datums import convert_coords, convert_geodataframe, normalize_datum
from zgc_geo.errors import CRSError, DatumError
from zgc_geo.i18n import Both, Sentence
from zgc_geo.importing.datum_offset import OFFSET_MIN_FEATURES, find_offset
from zgc_geo.importing.report import OptionOnPageError, PageText, Problem, Severity

#: Beijing–Tianjin–Hebei (lon_min, lat_min, lon_max, lat_max): where zgc-geo data belongs.
BTH_BOUNDS: Final = (113.4, 36.0, 119.9, 42.7)
#: Beijing municipality, to rank candidates that all land somewhere in the region.
BEIJING_BOUNDS: Final = (115.4, 39.4, 117.6, 41.1)
CRS_EXAMPLES: Final = (
    "EPSG:4548 (CGCS2000 3° GK CM 117E, no zone prefix), EPSG:4527 (same with zone prefix 39), "
    "EPSG:4326 (WGS84 lon/lat), EPSG:4490 (CGCS2000 lon/lat), or the web datums wgs84, gcj02, bd09"
)
_WEB_DATUMS: Final = {"gcj02": "GCJ-02 (Amap/Tencent)", "bd09": "BD-09 (Baidu)"}
#: The same projection with and without the zone number in front of the easting: (prefixed, plain, zone).
_PREFIX_TWINS: Final = ((4527, 4548, 39), (4526, 4547, 38), (2415, 2436, 39), (2414, 2435, 38))
_PREFIX_TWINS_XIAN: Final = ((2363, 2384, 39), (2362, 2383, 38))
_PREFIX_PARTNERS: Final = {  # code → (twin, zone)
    code: (twin, zone)
    for prefixed, plain, zone in _PREFIX_TWINS + _PREFIX_TWINS_XIAN
    for code, twin in ((prefixed, plain), (plain, prefixed))
}
_EXAMPLES: Final = 5
_SAMPLE: Final = 5000

_LONLAT, _GK, _MERC = "lon/lat degrees", "metres, eastings without zone prefix", "Web Mercator metres"
_Z38, _Z39 = "metres, eastings with zone prefix 38", "metres, eastings with zone prefix 39"
#: (key, label in English and Chinese, family) in order of preference among equal fits.
_KNOWN: Final = (
    ("EPSG:4326", "WGS 84 lon/lat, GPS / WGS84经纬度", _LONLAT),
    ("EPSG:4490", "CGCS2000 lon/lat / 2000国家大地坐标系经纬度", _LONLAT),
    ("gcj02", "GCJ-02 lon/lat, Amap/Tencent / 高德、腾讯火星坐标", _LONLAT),
    ("bd09", "BD-09 lon/lat, Baidu / 百度坐标", _LONLAT),
    ("EPSG:4548", "CGCS2000 3° GK CM 117E, no zone prefix / 2000国家大地坐标系 3度带 117°E 无带号", _GK),
    ("EPSG:4547", "CGCS2000 3° GK CM 114E, no zone prefix / 2000国家大地坐标系 3度带 114°E 无带号", _GK),
    ("EPSG:2436", "Beijing 1954 3° GK CM 117E, no zone prefix / 1954北京坐标系 3度带 117°E 无带号", _GK),
    ("EPSG:2384", "Xian 1980 3° GK CM 117E, no zone prefix / 1980西安坐标系 3度带 117°E 无带号", _GK),
    ("EPSG:32650", "WGS 84 / UTM zone 50N / UTM 50N带", _GK),
    ("EPSG:2435", "Beijing 1954 3° GK CM 114E, no zone prefix / 1954北京坐标系 3度带 114°E 无带号", _GK),
    ("EPSG:2383", "Xian 1980 3° GK CM 114E, no zone prefix / 1980西安坐标系 3度带 114°E 无带号", _GK),
    ("EPSG:4527", "CGCS2000 3° GK zone 39, with zone prefix / 2000国家大地坐标系 3度带 第39带 含带号", _Z39),
    ("EPSG:2415", "Beijing 1954 3° GK zone 39, with zone prefix / 1954北京坐标系 3度带 第39带 含带号", _Z39),
    ("EPSG:2363", "Xian 1980 3° GK zone 39, with zone prefix / 1980西安坐标系 3度带 第39带 含带号", _Z39),
    ("EPSG:4526", "CGCS2000 3° GK zone 38, with zone prefix / 2000国家大地坐标系 3度带 第38带 含带号", _Z38),
    ("EPSG:2414", "Beijing 1954 3° GK zone 38, with zone prefix / 1954北京坐标系 3度带 第38带 含带号", _Z38),
    ("EPSG:2362", "Xian 1980 3° GK zone 38, with zone prefix / 1980西安坐标系 3度带 第38带 含带号", _Z38),
    ("EPSG:3857", "Web Mercator, web-map tiles / 网络墨卡托（网络地图瓦片）", _MERC),
)


@dataclass(frozen=True)
class CrsCandidate:
    """A CRS the coordinates could be in: ``key`` for ``--crs``, a bilingual ``label``, and why."""

    key: str
    label: str
    reason: str

    def __str__(self) -> str:
        return f"--crs {self.key} ({self.label})"


def crs_name(key: str, lang: str = "en") -> str:
    """A CRS as a person knows it, in ``lang``, with its registry code as secondary detail.

    ``CGCS2000 3° GK CM 117E, no zone prefix (EPSG:4548)`` rather than a bare ``EPSG:4548``.
    The web datums go by their name alone (``gcj02`` is this tool's word, not a registry's);
    a CRS outside the known list takes PROJ's name, and a string PROJ cannot read stays as given.
    """
    try:
        datum = normalize_datum(key)
        key = "EPSG:4326" if datum == "wgs84" else datum
    except DatumError:
        pass
    label = next((label for known, label, _ in _KNOWN if known == key), None)
    if label is not None:
        en, zh = label.rsplit(" / ", 1)
        name = zh if lang == "zh" else en
        return name if key in _WEB_DATUMS else f"{name} ({key})"
    try:
        crs = CRS.from_user_input(key)
    except pyproj.exceptions.CRSError:
        return key
    authority = crs.to_authority()
    return f"{crs.name} ({':'.join(authority)})" if authority else crs.name


def _named(key: str) -> Both:
    return Both(zh=crs_name(key, "zh"), en=crs_name(key, "en"))


def suggest_crs(frame: gpd.GeoDataFrame) -> list[CrsCandidate]:
    """CRSs that could explain the raw coordinates of ``frame``, best first.

    The frame's own CRS is ignored: the numbers are read as each candidate would read them,
    and candidates are ranked by how many features land in Beijing–Tianjin–Hebei, then in
    Beijing, then by how common the CRS is in Beijing data. A candidate whose family (degrees,
    6-digit eastings, zone-prefixed eastings, Web Mercator) matches the numbers is listed even
    when it places nothing in the region, so a user far from Beijing still gets a lead.
    """
    x, y = _anchors(frame)
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return []
    pick = np.flatnonzero(finite)
    pick = pick[np.linspace(0, pick.size - 1, min(pick.size, _SAMPLE)).astype(int)]  # evenly, ≤ 5000
    x, y = x[pick], y[pick]
    families = _families(float(np.median(x)), float(np.median(y)))
    ranked = []
    for order, (key, label, family) in enumerate(_KNOWN):
        lon, lat = _to_lonlat(key, x, y)
        in_region, in_beijing = (int(_inside(lon, lat, box).sum()) for box in (BTH_BOUNDS, BEIJING_BOUNDS))
        if in_region or family in families:
            reason = f"{family}: {in_region} of {x.size} feature(s) land in Beijing–Tianjin–Hebei"
            ranked.append(((-in_region, -in_beijing, order), CrsCandidate(key, label, reason)))
    return [candidate for _, candidate in sorted(ranked, key=lambda item: item[0])]


def resolve_crs(
    frame: gpd.GeoDataFrame, declared: str | None, file_crs_basis: str, *, first_row_number: int = 1
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """The frame in EPSG:4326, from the CRS the user ``declared`` or else the file's own.

    ``declared`` may be ``EPSG:xxxx``, any string pyproj parses, or a web datum
    (``wgs84``/``gcj02``/``bd09``: lon/lat in that datum, converted to WGS84). Nothing is
    guessed: without either CRS the frame comes back unchanged, CRS-less, with a
    ``crs_missing`` error whose hint lists the best candidates from :func:`suggest_crs`.

    Raises
    ------
    OptionError
        ``declared`` is not a CRS pyproj understands, nor a web datum.
    """
    file_crs = None if frame.crs is None else CRS.from_user_input(frame.crs)
    problems: list[Problem] = []
    if declared is None or not declared.strip():
        if file_crs is None:
            return frame, [_crs_missing(frame, file_crs_basis)]
        crs, datum, basis = file_crs, "wgs84", file_crs_basis
    else:
        crs, datum = _parse_declared(declared)
        basis = f"given with --crs {declared.strip()}"
        if file_crs is not None and not file_crs.equals(crs):
            problems.append(
                Problem(
                    "warning",
                    "crs_overridden",
                    f"the file declares {_describe(file_crs)} ({file_crs_basis}) but --crs "
                    f"{declared.strip()} was given; the coordinates are read as the latter",
                    "drop --crs to use the file's own CRS",
                    text=Sentence(
                        "import.problem.crs_overridden",
                        {"file_crs": _named(file_crs.to_string()), "chosen": _named(declared.strip())},
                    ),
                    page_hint=Sentence("import.page_hint.crs_overridden"),
                )
            )
    read_as = _describe(crs) if datum == "wgs84" else f"{_WEB_DATUMS[datum]} lon/lat"
    used = Sentence(
        "import.problem.crs_used_chosen" if declared and declared.strip() else "import.problem.crs_used",
        {"crs": _named(crs.to_string() if datum == "wgs84" else datum)},
    )
    problems.append(Problem("info", "crs_used", f"coordinates read as {read_as} ({basis})", text=used))
    source = frame.set_crs(crs, allow_override=True)
    out = source if crs.equals(STORAGE_CRS) else source.to_crs(STORAGE_CRS)
    problems += _datum_shift_note(crs, out)
    if datum != "wgs84":
        out = convert_geodataframe(out, datum, "wgs84")
        message = f"coordinates converted from {_WEB_DATUMS[datum]} to WGS84 lon/lat (shifts of ~0.5–1 km)"
        text = Sentence("import.problem.datum_converted", {"datum": _named(datum)})
        problems.append(Problem("info", "datum_converted", message, text=text))
    problems += _transform_failures(source, out, first_row_number)
    problems += _degrees_as_metres(source, out, first_row_number)
    return out, problems


def diagnose_location(
    frame_wgs84: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame | None = None,
    *,
    first_row_number: int = 1,
    web_datums: bool = True,
) -> list[Problem]:
    """Say why features lie outside Beijing–Tianjin–Hebei, and spot GCJ-02/BD-09 data inside it.

    One :class:`Problem` per cause (swapped axes, metres read as degrees, elsewhere) with its
    row count and example rows, never one per feature. Features that sit in Beijing are
    compared with the park outlines (default: the shipped ``parks`` layer) as given and after
    a GCJ-02→WGS84 and BD-09→WGS84 correction; when a correction clearly fits better, a
    ``gcj02_offset``/``bd09_offset`` warning says so. Nothing is ever converted here.
    ``web_datums=False`` skips that comparison: pass it when the numbers were not lon/lat (see
    :func:`could_be_web_datum`). Features whose coordinates did not transform at all are
    :func:`resolve_crs`'s report.
    """
    if frame_wgs84.crs is not None and not CRS.from_user_input(frame_wgs84.crs).is_geographic:
        raise CRSError("diagnose_location needs lon/lat (EPSG:4326); reproject with resolve_crs() first")
    x, y = _anchors(frame_wgs84)
    finite = np.isfinite(x) & np.isfinite(y)
    outside = finite & ~_inside(x, y, BTH_BOUNDS)
    swapped = outside & _inside(y, x, BTH_BOUNDS)
    metres = outside & ~swapped & ((np.abs(x) > 180) | (np.abs(y) > 90))
    elsewhere = outside & ~metres & ~swapped
    at, problems = _Rows(x, y, first_row_number), []
    if metres.any():
        best = _best(frame_wgs84.geometry[metres], 2)
        what = "have coordinates far beyond ±180°/±90°: they are metres of a projected CRS read as degrees"
        hint = "re-import with " + _options(best)
        problems.append(at.problem("metres_as_degrees", metres, what, hint=hint, crs_keys=_keys(best)))
    if swapped.any():
        what = "lie outside Beijing–Tianjin–Hebei but inside it with longitude and latitude swapped"
        hint = "swap the columns, or re-import with --swap-axes (zgc-geo reads x = longitude)"
        problems.append(at.problem("axes_swapped", swapped, what, hint=hint))
    if elsewhere.any():
        what = "lie outside Beijing–Tianjin–Hebei (lon 113.4–119.9, lat 36.0–42.7)"
        hint = "check the CRS (--crs) and the coordinate columns"
        problems.append(at.problem("outside_region", elsewhere, what, hint=hint, severity="warning"))
    if web_datums:
        problems += web_datum_problems(frame_wgs84, parks, first_row_number=first_row_number)
    return problems


def web_datum_problems(
    frame_wgs84: gpd.GeoDataFrame, parks: gpd.GeoDataFrame | None = None, *, first_row_number: int = 1
) -> list[Problem]:
    """The GCJ-02/BD-09 part of :func:`diagnose_location` alone: a warning when a web-datum correction
    fits the features in Beijing to the parks clearly better (never an error, so the importer runs it
    beside its other checks)."""
    x, y = _anchors(frame_wgs84)
    in_beijing = np.isfinite(x) & np.isfinite(y) & _inside(x, y, BEIJING_BOUNDS)
    if in_beijing.sum() < OFFSET_MIN_FEATURES:
        return []
    return _offset_problems(frame_wgs84, in_beijing, parks, first_row_number)


def could_be_web_datum(file_crs: object, declared: str | None) -> bool:
    """Whether the numbers of a file were lon/lat, the only form GCJ-02 and BD-09 come in.

    The web datums are an obfuscation of lon/lat on Chinese web maps. Numbers read in a projected
    CRS (EPSG:4548 eastings and northings from a survey or a GIS) were never shifted that way, and
    the only remedy the offset check can offer — reading the numbers as ``gcj02``/``bd09`` lon/lat —
    would make no sense for them. ``file_crs`` is the file's own CRS (or None), ``declared`` what
    the user chose (it wins); a file with neither is a table of numbers, which may be lon/lat.
    """
    if declared is not None and declared.strip():
        crs, datum = _parse_declared(declared)
        return datum != "wgs84" or crs.is_geographic
    return file_crs is None or CRS.from_user_input(file_crs).is_geographic


# --------------------------------------------------------------------------- helpers


def _anchors(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """One representative x, y per feature (bounding-box centre; NaN when missing or empty)."""
    bounds = shapely.bounds(np.asarray(frame.geometry.array))
    with np.errstate(invalid="ignore"):
        return (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2


def _inside(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    return (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])


def _families(x: float, y: float) -> set[str]:
    families = set()
    if abs(x) <= 180 and abs(y) <= 90:
        families.add(_LONLAT)
    if 3e6 <= y <= 6e6:
        if 2e5 <= x <= 8e5:
            families.add(_GK)
        elif x // 1e6 in (38, 39):
            families.add(_Z38 if x // 1e6 == 38 else _Z39)
        elif 1.1e7 <= x <= 1.45e7:
            families.add(_MERC)
    return families


@cache
def _transformer(key: str) -> Transformer:
    return Transformer.from_crs(key, STORAGE_CRS, always_xy=True)


def _to_lonlat(key: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if key in _WEB_DATUMS:
        degrees = (np.abs(x) <= 180) & (np.abs(y) <= 90)
        return convert_coords(np.where(degrees, x, np.nan), np.where(degrees, y, np.nan), key, "wgs84")
    with np.errstate(all="ignore"):
        lon, lat = _transformer(key).transform(x, y, errcheck=False)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _describe(crs: CRS) -> str:
    code = crs.to_authority()
    return f"{':'.join(code)} ({crs.name})" if code else crs.name


def _parse_declared(declared: str) -> tuple[CRS, str]:
    try:
        return CRS.from_epsg(4326), normalize_datum(declared)
    except DatumError:
        pass
    try:
        crs = CRS.from_user_input(declared.strip())
    except pyproj.exceptions.CRSError:
        raise OptionOnPageError(
            f"--crs {declared!r} is not a CRS PROJ understands; use e.g. {CRS_EXAMPLES}",
            PageText(
                Sentence("import.failure.crs_unknown", {"value": declared.strip()}), _CRS_HINT, fix="crs"
            ),
        ) from None
    if not (crs.is_geographic or crs.is_projected):
        raise OptionOnPageError(
            f"--crs {declared!r} ({crs.name}) is not a horizontal CRS; use e.g. {CRS_EXAMPLES}",
            PageText(
                Sentence("import.failure.crs_not_horizontal", {"value": crs.name}), _CRS_HINT, fix="crs"
            ),
        )
    return crs, "wgs84"


_CRS_HINT: Final = Sentence("import.page_hint.crs_unknown")


def _crs_missing(frame: gpd.GeoDataFrame, basis: str) -> Problem:
    message = f"no coordinate reference system ({basis}); the positions are unknown"
    best = _best(frame.geometry, 3)
    return Problem(
        "error",
        "crs_missing",
        message,
        "pass " + _options(best),
        text=Sentence("import.problem.crs_missing"),
        page_hint=Sentence("import.page_hint.choose_crs"),
        crs_keys=_keys(best),
    )


def _best(geometry: gpd.GeoSeries, count: int) -> list[CrsCandidate]:
    """The best ``count`` candidates for the raw numbers of ``geometry``."""
    return suggest_crs(gpd.GeoDataFrame(geometry=geometry.to_numpy(), crs=None))[:count]


def _keys(candidates: Sequence[CrsCandidate]) -> tuple[str, ...]:
    return tuple(c.key for c in candidates)


def _options(best: list[CrsCandidate]) -> str:
    """The candidates as ``--crs`` options, the first with its reason."""
    if not best:
        return f"--crs with the CRS the coordinates were measured in, e.g. {CRS_EXAMPLES}"
    return f"{best[0]} — {best[0].reason}" + "".join(f"; or {c}" for c in best[1:])


def _datum_shift_note(crs: CRS, out: gpd.GeoDataFrame) -> list[Problem]:
    """An info note when PROJ can only ballpark this CRS's datum to WGS84 where the data lies.

    PROJ's database has no Beijing 1954 → WGS84 parameters that cover Beijing (its sets cover
    the Yellow Sea, the Pearl River basin, Ordos and Tarim) and none at all for Xian 1980, so it
    falls back to a "ballpark" conversion that ignores the datum shift.
    """
    geodetic = crs.geodetic_crs
    ellipsoid = None if geodetic is None else geodetic.ellipsoid
    if geodetic is None or ellipsoid is None or abs(ellipsoid.semi_major_metre - 6378137) < 1:
        return []  # WGS84 and CGCS2000 agree to well under a metre
    x, y = _anchors(out)
    ok = np.isfinite(x) & np.isfinite(y)
    box = (x[ok].min(), y[ok].min(), x[ok].max(), y[ok].max()) if ok.any() else BEIJING_BOUNDS
    group = TransformerGroup(geodetic, STORAGE_CRS, always_xy=True, area_of_interest=AreaOfInterest(*box))
    covering = [t for t in group.transformers if t.area_of_use and _covers(t.area_of_use.bounds, box)]
    if covering and "ballpark" not in covering[0].description.lower():
        return []
    return [
        Problem(
            "info",
            "datum_shift_approximate",
            f"PROJ has no {geodetic.name} → WGS 84 datum transformation for this area and ignores the "
            "datum shift, so positions may be off by tens of metres (60–70 m around Beijing for Beijing 1954 "
            "by every published regional parameter set)",
            "for survey-grade work, transform with the local 7-parameter set first and import the "
            "result as CGCS2000 (EPSG:4548)",
            text=Sentence("import.problem.datum_shift_approximate", {"datum": geodetic.name}),
            page_hint=Sentence("import.page_hint.datum_shift_approximate"),
        )
    ]


def _covers(area: Sequence[float], box: Sequence[float]) -> bool:
    return area[0] <= box[0] and area[1] <= box[1] and area[2] >= box[2] and area[3] >= box[3]


def _degrees_as_metres(source: gpd.GeoDataFrame, out: gpd.GeoDataFrame, first_row: int) -> list[Problem]:
    """Features of a projected CRS whose numbers are lon/lat degrees: one error, the CRS that fits.

    Numbers within ±180/±90 are metres only within a stone's throw of the projection's false
    origin, which for every CRS used around Beijing lies far outside the region; such features
    land there, and every later check on them (zero area, outside every park) would only repeat it.
    """
    crs = CRS.from_user_input(source.crs)
    if not crs.is_projected:
        return []
    raw_x, raw_y = _anchors(source)
    x, y = _anchors(out)
    with np.errstate(invalid="ignore"):
        degrees = (np.abs(raw_x) <= 180) & (np.abs(raw_y) <= 90)
    wrong = degrees & np.isfinite(x) & np.isfinite(y) & ~_inside(x, y, BTH_BOUNDS)
    if not wrong.any():
        return []
    best = _best(source.geometry[wrong], 2)
    what = f"have coordinates within ±180/±90: they are lon/lat degrees read as metres of {_describe(crs)}"
    hint = "re-import with " + _options(best)
    at = _Rows(raw_x, raw_y, first_row)
    return [
        at.problem(
            "degrees_as_metres", wrong, what, hint=hint, crs_keys=_keys(best), crs=_named(crs.to_string())
        )
    ]


def _transform_failures(source: gpd.GeoDataFrame, out: gpd.GeoDataFrame, first_row: int) -> list[Problem]:
    """Features present in the file whose coordinates the CRS cannot transform (PROJ gives inf)."""
    x, y = _anchors(out)
    raw_x, raw_y = _anchors(source)
    failed = np.isfinite(raw_x) & np.isfinite(raw_y) & ~(np.isfinite(x) & np.isfinite(y))
    if not failed.any():
        return []
    crs, at = CRS.from_user_input(source.crs), _Rows(raw_x, raw_y, first_row)
    epsg = crs.to_epsg() or 0
    partner, zone = _PREFIX_PARTNERS.get(epsg, (0, 0))
    if partner:
        lon, lat = _to_lonlat(f"EPSG:{partner}", raw_x[failed], raw_y[failed])
        if _inside(lon, lat, BTH_BOUNDS).mean() >= 0.5:
            fault = (
                "carry a zone prefix ({z}…) that EPSG:{e} does not expect"
                if raw_x[failed][0] >= 1e6
                else ("lack the zone prefix {z} that EPSG:{e} expects")
            )
            what = "cannot be placed: their eastings " + fault.format(z=zone, e=epsg)
            label = next(label for key, label, _ in _KNOWN if key == f"EPSG:{partner}")
            hint = f"re-import with --crs EPSG:{partner} ({label})"
            key = (
                "import.problem.zone_prefix_extra"
                if raw_x[failed][0] >= 1e6
                else "import.problem.zone_prefix"
            )
            named = _named(f"EPSG:{epsg}")
            fix = (f"EPSG:{partner}",)
            return [
                at.problem(
                    "zone_prefix", failed, what, hint=hint, crs_keys=fix, key=key, zone=zone, crs=named
                )
            ]
    what = f"cannot be transformed from {_describe(crs)}: the numbers do not fit that CRS"
    best = _best(source.geometry[failed], 2)
    hint = "re-import with " + _options(best)
    return [
        at.problem("crs_mismatch", failed, what, hint=hint, crs_keys=_keys(best), crs=_named(crs.to_string()))
    ]


@dataclass(frozen=True)
class _Rows:
    """Coordinates per feature and the number of the first row, to describe a group of features."""

    x: np.ndarray
    y: np.ndarray
    first_row: int

    def problem(
        self,
        code: str,
        mask: np.ndarray,
        what: str,
        *,
        hint: str,
        severity: Severity = "error",
        crs_keys: tuple[str, ...] = (),
        key: str | None = None,
        **values: object,
    ) -> Problem:
        """One problem for all features in ``mask``: how many, example rows, one example position.

        The page's text is ``import.problem.<code>`` (or ``key``) with ``count``, ``rows`` and
        ``example`` filled in, plus ``values``; its hint is :data:`PAGE_HINTS` of ``code``.
        """
        positions = np.flatnonzero(mask)
        rows = ", ".join(str(p + self.first_row) for p in positions[:_EXAMPLES])
        more = " …" if positions.size > _EXAMPLES else ""
        first = positions[0]
        example = f"x={self.x[first]:.10g}, y={self.y[first]:.10g}"
        message = f"{positions.size} feature(s) {what} (rows {rows}{more}; e.g. {example})"
        text = Sentence(
            key or _GROUP_TEXTS[code],
            {"count": positions.size, "rows": rows + more, "example": example, **values},
        )
        return Problem(
            severity,
            code,
            message,
            hint,
            text=text,
            page_hint=Sentence(PAGE_HINTS[code]),
            rows=tuple(int(p) + self.first_row for p in positions),
            crs_keys=crs_keys,
        )


#: The page's text of each group finding (the zone-prefix one has two, chosen by the caller).
_GROUP_TEXTS: Final = {
    "metres_as_degrees": "import.problem.metres_as_degrees",
    "axes_swapped": "import.problem.axes_swapped",
    "outside_region": "import.problem.outside_region",
    "crs_mismatch": "import.problem.crs_mismatch",
    "degrees_as_metres": "import.problem.degrees_as_metres",
}
#: The page's hint of each finding about position: what to click or choose on the page.
PAGE_HINTS: Final = {
    "metres_as_degrees": "import.page_hint.choose_crs",
    "axes_swapped": "import.page_hint.axes_swapped",
    "outside_region": "import.page_hint.outside_region",
    "crs_mismatch": "import.page_hint.choose_crs",
    "zone_prefix": "import.page_hint.choose_crs",
    "degrees_as_metres": "import.page_hint.choose_crs",
}


# --------------------------------------------------------------------------- GCJ-02 / BD-09


def _offset_problems(
    frame: gpd.GeoDataFrame, candidates: np.ndarray, parks: gpd.GeoDataFrame | None, first_row: int
) -> list[Problem]:
    """A warning when a web-datum correction fits the parks clearly better (:func:`find_offset`)."""
    finding = find_offset(frame, candidates, parks)
    if finding is None:
        return []
    datum, shift, better = finding.datum, finding.shift_m, finding.better
    score0, score1 = finding.score_before, finding.score_after
    dist0, dist1 = finding.distance_before_m, finding.distance_after_m
    rows = ", ".join(str(p + first_row) for p in finding.positions[better][:_EXAMPLES])
    message = (
        f"coordinates look like {_WEB_DATUMS[datum]}, not WGS84: of {score0.size} features near the parks, "
        f"{score0.sum():.0f} lie inside the park outlines (by area for polygons) as given but "
        f"{score1.sum():.0f} after a {datum}→WGS84 correction of ~{shift:.0f} m; {better.sum()} fit better, "
        f"median distance to a park {np.median(dist0):.0f} m → {np.median(dist1):.0f} m (e.g. rows {rows})"
    )
    hint = f"if the data came from {_WEB_DATUMS[datum]} maps, re-import with --crs {datum} (not converted)"
    values = {
        "datum": _named(datum),
        "near": score0.size,
        "inside_before": f"{score0.sum():.0f}",
        "inside_after": f"{score1.sum():.0f}",
        "shift_m": f"{shift:.0f}",
        "better": int(better.sum()),
        "distance_before_m": f"{np.median(dist0):.0f}",
        "distance_after_m": f"{np.median(dist1):.0f}",
        "rows": rows,
    }
    return [
        Problem(
            "warning",
            f"{datum}_offset",
            message,
            hint,
            text=Sentence("import.problem.web_datum_offset", values),
            page_hint=Sentence("import.page_hint.web_datum_offset", {"datum": _named(datum)}),
            crs_keys=(datum,),
        )
    ]
