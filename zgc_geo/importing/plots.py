"""Normalise an idle industrial plot inventory (闲置/低效工业用地) to one canonical schema.

Later analysis (FAR uplift, redevelopment modes, priority ranking) relies on this schema, so
every value that cannot be trusted is reported with the row a user would look at, and
nothing is silently guessed: areas are measured in EPSG:4548, never in degrees.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zgc_geo.catalogue import load_layer
from zgc_geo.crs import ANALYSIS_CRS, M2_PER_MU, STORAGE_CRS, require_crs, to_storage_crs
from zgc_geo.i18n import Both, Sentence
from zgc_geo.importing.columns import CANONICAL_FIELDS, ColumnMapping, apply_mapping, guess_mapping
from zgc_geo.importing.land_use import classify_land_use
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.report import Problem, Severity
from zgc_geo.placement import Placed, first_parks, parks_fingerprint
from zgc_geo.polygons import polygonal_parts
from zgc_geo.projection import project_geometries
from zgc_geo.threads import ahead, blockwise, shared_tree, workers

OUTPUT_COLUMNS: Final = (
    "plot_id", "name", "park_id", "land_use_code", "land_use_class", "area_m2", "area_mu",
    "area_reported_m2", "far_current", "far_permitted", "floor_area_m2", "idle_since",
    "land_rights", "owner", "status", "output_per_mu_wan", "tax_per_mu_wan",
)  # fmt: skip
#: Reported and drawn areas may differ by this share before a warning (survey vs drawing).
AREA_TOLERANCE: Final = 0.05
#: A FAR above this is implausible for any plot in Beijing (the tallest CBD towers reach ~15).
FAR_MAX_PLAUSIBLE: Final = 20.0
#: Floor area may differ from area × FAR by this share before a note.
FLOOR_AREA_TOLERANCE: Final = 0.20
#: Overlaps must exceed both to be reported: smaller ones are digitising slivers.
OVERLAP_MIN_M2: Final = 1.0
OVERLAP_MIN_SHARE: Final = 0.01
#: Areas below this are zero: reprojecting a degenerate outline leaves a hair's-breadth sliver.
ZERO_AREA_M2: Final = 0.01
#: Rows named as examples in whole-file notes.
EXAMPLE_ROWS: Final = 5
#: Excel stores dates as days since 1899-12-30; serials in this range are the years 1927–2173.
EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
EXCEL_SERIALS: Final = (10_000, 100_000)
YEAR_RANGE: Final = (1800, 2200)
#: Words that settle land rights: 国有, 国有建设用地, 国有出让, 国有划拨 → state; 集体, 农村集体 → collective.
LAND_RIGHTS_WORDS: Final = (("state", ("国有", "state")), ("collective", ("集体", "collective")))
_DROPPED: Final = "; the row is dropped"
_MANY_OVERLAPS_HINT: Final = (
    "so many overlaps usually mean the file holds its plots twice or split plots were drawn over the whole; "
    "raise ZGC_GEO_IMPORT_MAX_OVERLAP_ROWS to list more"
)
_NUMBER_HINT: Final = "write a plain number such as 1.2, without units (leave the cell empty if unknown)"

#: Every problem this module reports: code → (severity, message, hint), filled in per row.
MESSAGES: Final[dict[str, tuple[Severity, str, str]]] = {
    "geometry_empty": ("error", f"the row has no geometry (missing or empty){_DROPPED}",
                       "draw or re-export the plot outline, then import again"),
    "geometry_type": ("error", f"plots must be polygons; you imported {{kind}}{_DROPPED}",
                      "import the plot outlines (polygons), not centre points or boundary lines"),
    "geometry_repaired": ("warning", "the outline was invalid ({value}) and was repaired with make_valid",
                          "check the repaired outline on the map; fix the source if the repair is wrong"),
    "geometry_zero_area": ("error", f"the polygon has (next to) zero area{_DROPPED}",
                           "redraw the outline: its points lie on one line or one spot"),
    "plot_id_generated": ("warning", "no plot id column was found; the ids are the row numbers",
                          "map a column to plot_id if the data has one"),
    "plot_id_empty": ("error", "the plot id is empty", "give every plot a unique id"),
    "plot_id_duplicate": ("error", "plot id {value!r} is also used by row(s) {others}",
                          "give every plot a unique id"),
    "value_not_numeric": ("warning", "{value!r} is not a number", _NUMBER_HINT),
    "far_not_numeric": ("error", "FAR {value!r} is not a number", _NUMBER_HINT),
    "far_implausible": ("warning", f"FAR {{far:g}} is outside the plausible range 0–{FAR_MAX_PLAUSIBLE:g}",
                        "check the value and its column (a floor area in the FAR column?)"),
    "far_above_permitted": ("info", "current FAR {current:g} is above the permitted {permitted:g}",
                            "allowed for existing buildings; noted for the FAR uplift analysis"),
    "floor_area_inconsistent": (
        "info", "floor area {floor:,.0f} m² differs from area × FAR = {expected:,.0f} m² "
        f"by more than {FLOOR_AREA_TOLERANCE:.0%}", "check the floor area, the FAR and the area unit"),
    "area_mismatch": (
        "warning", "reported area {reported:,.0f} m² differs from the drawn area {drawn:,.0f} m² "
        f"by more than {AREA_TOLERANCE:.0%} (ratio {{ratio:.3f}})",
        "check the unit in the header (平方米, 亩 or 公顷) and the outline; analysis uses the drawn area, "
        "measured in EPSG:4548"),
    "idle_since_unparsable": ("warning", "cannot read a year from {value!r}",
                              "write the year (2015), a date (2015-06-01) or 2015年"),
    "idle_since_future": ("warning", "idle since {year}, which is in the future", "check the year"),
    "land_rights_unknown": ("warning", "land rights {value!r} are neither state (国有) nor collective (集体)",
                            "write 国有 / state or 集体 / collective"),
    "park_unknown": ("warning", "park {value!r} is not one of the parks", "use a park name or id: {valid}"),
    "outside_parks": ("info", "{count} plot(s) lie outside every park, e.g. row(s) {examples}",
                      "check their coordinates and CRS, or give their park in a 园区 column"),
    "plots_overlap": (
        "warning", "plots {a!r} (row {row_a}) and {b!r} (row {row_b}) overlap by {overlap:,.1f} m² "
        "({share:.0%} of the smaller)", "check both outlines: a plot counted twice inflates the idle area"),
    "plots_overlap_more": (
        "warning", "{more:,} more pair(s) of plots overlap and are not listed ({total:,} in all; the report "
        "lists the first {cap:,})", _MANY_OVERLAPS_HINT),
    "plots_overlap_many": (
        "warning", "up to {more:,} more pair(s) of plots overlap and are not listed (up to {total:,} in all; "
        "the report lists the first {cap:,}; pairs past those were counted by their extents, not measured)",
        _MANY_OVERLAPS_HINT),
}  # fmt: skip

#: The page's text of each problem: code → (message key, hint key) in the translation table.
PAGE_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "geometry_empty": ("import.problem.geometry_empty", "import.page_hint.geometry_empty"),
    "geometry_type": ("import.problem.geometry_type", "import.page_hint.geometry_type"),
    "geometry_repaired": ("import.problem.geometry_repaired", "import.page_hint.geometry_repaired"),
    "geometry_zero_area": ("import.problem.geometry_zero_area", "import.page_hint.geometry_zero_area"),
    "plot_id_generated": ("import.problem.plot_id_generated", "import.page_hint.plot_id_generated"),
    "plot_id_empty": ("import.problem.plot_id_empty", "import.page_hint.plot_id_empty"),
    "plot_id_duplicate": ("import.problem.plot_id_duplicate", "import.page_hint.plot_id_duplicate"),
    "value_not_numeric": ("import.problem.value_not_numeric", "import.page_hint.value_not_numeric"),
    "far_not_numeric": ("import.problem.far_not_numeric", "import.page_hint.far_not_numeric"),
    "far_implausible": ("import.problem.far_implausible", "import.page_hint.far_implausible"),
    "far_above_permitted": ("import.problem.far_above_permitted", "import.page_hint.far_above_permitted"),
    "floor_area_inconsistent": (
        "import.problem.floor_area_inconsistent",
        "import.page_hint.floor_area_inconsistent",
    ),
    "area_mismatch": ("import.problem.area_mismatch", "import.page_hint.area_mismatch"),
    "idle_since_unparsable": (
        "import.problem.idle_since_unparsable",
        "import.page_hint.idle_since_unparsable",
    ),
    "idle_since_future": ("import.problem.idle_since_future", "import.page_hint.idle_since_future"),
    "land_rights_unknown": ("import.problem.land_rights_unknown", "import.page_hint.land_rights_unknown"),
    "park_unknown": ("import.problem.park_unknown", "import.page_hint.park_unknown"),
    "outside_parks": ("import.problem.outside_parks", "import.page_hint.outside_parks"),
    "plots_overlap": ("import.problem.plots_overlap", "import.page_hint.plots_overlap"),
    "plots_overlap_more": ("import.problem.plots_overlap_more", "import.page_hint.plots_overlap_more"),
    "plots_overlap_many": ("import.problem.plots_overlap_many", "import.page_hint.plots_overlap_more"),
}

_POINTS, _LINES = Both(zh="点", en="points"), Both(zh="线", en="lines")
_TYPE_WORDS: Final = {0: _POINTS, 4: _POINTS, 1: _LINES, 2: _LINES, 5: _LINES}
_NO_POLYGONS: Final = Both(zh="不含面的几何集合", en="a collection without polygons")
_POLYGON, _MULTIPOLYGON, _COLLECTION = 3, 6, 7


#: Pairs of extents compared at once when the overlaps past the listed ones are counted.
_COUNTED_BLOCK: Final = 1 << 20
#: Rows whose overlapping neighbours are looked up at once by the overlap check.
_QUERY_BLOCK: Final = 1 << 16
#: Relative and absolute (m²) room for rounding when an extent overlap bounds an intersection's area.
_EXTENT_SLACK: Final = 1e-6


def _extent_area(bounds: np.ndarray) -> np.ndarray:
    """Areas of bounding boxes given as rows of (minx, miny, maxx, maxy)."""
    return (bounds[:, 2] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 1])


def _shared_extent(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Area shared by pairs of bounding boxes, rows of (minx, miny, maxx, maxy): 0 when apart."""
    width = np.minimum(first[:, 2], second[:, 2]) - np.maximum(first[:, 0], second[:, 0])
    height = np.minimum(first[:, 3], second[:, 3]) - np.maximum(first[:, 1], second[:, 1])
    return np.clip(width, 0, None) * np.clip(height, 0, None)


def problem(
    code: str, *, row: int | None = None, field: str | None = None, value: object = None, **values: object
) -> Problem:
    """The problem ``code`` of :data:`MESSAGES`, its message filled in with ``value`` and ``values``.

    The page's text (:data:`PAGE_TEXTS`) is filled in with the same values.
    """
    severity, message, hint = MESSAGES[code]
    text_key, hint_key = PAGE_TEXTS[code]
    shown = None if value is None else _short(str(value))
    readable = {k: _Readable(v) if isinstance(v, float | np.floating) else v for k, v in values.items()}
    return Problem(
        severity,
        code,
        message.format(value=shown, **readable),
        hint.format(**readable),
        row,
        field,
        shown,
        text=Sentence(text_key, {"value": shown, **readable}),
        page_hint=Sentence(hint_key, readable),
    )


#: Beyond this magnitude a number is shown in scientific notation: 1e+308 rather than 309 digits.
_PLAIN_LIMIT: Final = 1e15


class _Readable(float):
    """A float that formats huge or non-finite values briefly, whatever the format spec asks."""

    def __format__(self, spec: str) -> str:
        if not math.isfinite(self) or abs(self) >= _PLAIN_LIMIT:
            return format(float(self), ".3g")
        return format(float(self), spec)


def _short(text: str) -> str:
    """A cell as shown in a message: a number written with hundreds of digits in scientific notation."""
    if len(text) <= 24:
        return text
    try:
        return format(float(text.replace(",", "")), ".6g")
    except ValueError:
        return text


def normalise_plots(
    frame: gpd.GeoDataFrame,
    *,
    mapping: ColumnMapping | None = None,
    parks: gpd.GeoDataFrame | None = None,
    first_row_number: int = 1,
    max_overlap_rows: int = ImportLimits.max_overlap_rows,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """The plots in the canonical schema (EPSG:4326), and every problem found (see
    :func:`normalise_plots_measured`, which also gives the outlines in EPSG:4548)."""
    plots, problems, _outlines, _placed = normalise_plots_measured(
        frame,
        mapping=mapping,
        parks=parks,
        first_row_number=first_row_number,
        max_overlap_rows=max_overlap_rows,
    )
    return plots, problems


def normalise_plots_measured(
    frame: gpd.GeoDataFrame,
    *,
    mapping: ColumnMapping | None = None,
    parks: gpd.GeoDataFrame | None = None,
    first_row_number: int = 1,
    max_overlap_rows: int = ImportLimits.max_overlap_rows,
) -> tuple[gpd.GeoDataFrame, list[Problem], gpd.GeoSeries, Placed | None]:
    """The plots in the canonical schema (EPSG:4326), every problem found, the plots' outlines in
    EPSG:4548 as the checks measured them (aligned with the plots), so an analysis that follows need
    not repair and project them again, and the parks the checks found for plots that name none (by
    position in the plots; None when every plot names its park), so it need not place those again.

    Rows without a usable polygon are dropped, each with an error saying so; every other
    row is kept, problems or not, so the user sees all of them at once. Columns that map
    to no canonical field follow the canonical ones unchanged. The index of ``frame`` is
    kept, so a dropped row leaves a gap. ``parks`` defaults to the shipped parks layer.
    """
    require_crs(frame, "plot layer")
    frame = to_storage_crs(frame)
    if mapping is None:
        mapping = guess_mapping([c for c in frame.columns if c != frame.geometry.name])
    data, problems = apply_mapping(frame, mapping)
    rows = np.arange(len(data)) + first_row_number
    geoms, metric, keep, geometry_problems = _clean_geometry(data.geometry.to_numpy(), rows)
    data = data.set_geometry(gpd.GeoSeries(geoms, index=data.index, crs=frame.crs)).loc[keep]
    metric = gpd.GeoSeries(metric[keep], index=data.index, crs=ANALYSIS_CRS)
    checks = _Checks(data, mapping, rows[keep], metric, max_overlap_rows=max_overlap_rows)
    out = checks.run(parks if parks is not None else load_layer("parks"))
    return out, problems + geometry_problems + checks.problems, metric, checks.placed


def _clean_geometry(
    geoms: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Problem]]:
    """2-D, valid (Multi)Polygons, the same in EPSG:4548, which rows to keep, and the geometry problems.

    The outlines are projected once here: the area test and every later check measure the same shapes.
    """
    flat = not (shapely.has_z(geoms) | shapely.has_m(geoms)).any()
    original = geoms if flat else shapely.force_2d(geoms)  # force_2d copies every geometry
    geoms = original.copy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = shapely.get_type_id(geoms)
    collection = types == _COLLECTION
    geoms[collection] = polygonal_parts(geoms[collection])
    polygonal = np.isin(types, [_POLYGON, _MULTIPOLYGON]) | (collection & ~shapely.is_empty(geoms))
    wrong_type = ~missing & ~polygonal
    invalid = polygonal & ~blockwise(shapely.is_valid, geoms)
    reasons = shapely.is_valid_reason(geoms[invalid])
    geoms[invalid] = polygonal_parts(blockwise(shapely.make_valid, geoms[invalid]))
    metric = project_geometries(geoms, STORAGE_CRS)  # PROJ over coordinate blocks, in threads
    area = np.nan_to_num(shapely.area(metric), nan=0.0)
    zero = polygonal & ~missing & (area < ZERO_AREA_M2)
    found = [
        *(problem("geometry_empty", row=int(r), field="geometry") for r in rows[missing]),
        *(
            problem(
                "geometry_type",
                row=int(r),
                field="geometry",
                value=g.geom_type,
                kind=_TYPE_WORDS.get(int(t), _NO_POLYGONS),
            )
            for r, t, g in zip(rows[wrong_type], types[wrong_type], original[wrong_type], strict=True)
        ),
        *(
            problem("geometry_repaired", row=int(r), field="geometry", value=v)
            for r, v in zip(rows[invalid], reasons, strict=True)
        ),
        *(problem("geometry_zero_area", row=int(r), field="geometry") for r in rows[zero]),
    ]
    return geoms, metric, ~(missing | wrong_type | zero), sorted(found, key=lambda p: p.row or 0)


#: Every character ``str.strip()`` removes (``str.isspace``), for the column-wide strip to remove the same.
PY_WHITESPACE: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
#: Thousands separators and spaces inside a number: ``[,\s]`` spelled out, which pyarrow runs on the
#: whole column (Python's ``\s`` is the same set; pandas would run it once per cell).
_SEPARATORS: Final = f"[,{PY_WHITESPACE}]"
#: Integral floats below this magnitude are written through int64 (exact); larger ones through Python ints.
_INT64_SAFE: Final = 2.0**62


def _text(series: pd.Series, *, fold: bool = False) -> pd.Series:
    """Cells as stripped text (<NA> when empty); integral floats lose their ``.0`` (Excel ids).

    ``fold`` also makes full-width forms half-width (NFKC), for numbers and codes; names
    and other free text keep their characters. Works on whole columns (an inventory's ids are
    all distinct: one Python call per cell cost a second per 100k plots); only cells that are
    not ASCII go through ``unicodedata`` one distinct value at a time, as pyarrow does not compose.
    """
    text = _strings(series)
    if fold:
        ascii_only = text.str.isascii().fillna(True).to_numpy(dtype=bool)  # NFKC leaves ASCII as it is
        if not ascii_only.all():
            wide = text[~ascii_only]
            text = text.copy()
            text[~ascii_only] = wide.map({v: unicodedata.normalize("NFKC", v) for v in wide.unique()})
    text = text.str.strip(PY_WHITESPACE)
    return text.mask((text == "").fillna(False).to_numpy(dtype=bool))


def _strings(series: pd.Series) -> pd.Series:
    """``series`` as unstripped text (dtype ``string``): ``str`` of each value, integral floats as ints."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) or pd.api.types.is_integer_dtype(dtype):
        return series.astype("string")
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy(
            dtype=np.float64
        )  # as factorize gives them: float32 1.1 is 1.100000023841858
        finite = np.isfinite(values)
        integral = finite & (values == np.trunc(values))
        small = integral & (np.abs(values) < _INT64_SAFE)
        out = values.astype(str).astype(object)  # numpy's shortest repr: what str() of each value gives
        out[small] = values[small].astype(np.int64).astype(str)
        out[integral & ~small] = [str(int(v)) for v in values[integral & ~small]]
        out[np.isnan(values)] = None
        return pd.Series(out, index=series.index, dtype="string")
    if pd.api.types.is_object_dtype(dtype) and pd.api.types.infer_dtype(series, skipna=True) in (
        "string",
        "empty",
    ):
        return series.astype("string")
    positions, uniques = pd.factorize(series, use_na_sentinel=True)  # bools, dates, mixed cells
    values = np.array([None, *(_plain_str(u) for u in uniques)], dtype=object)[positions + 1]
    return pd.Series(values, index=series.index, dtype="string")


def _plain_str(value: object) -> str:
    """``str`` of one cell, an integral float without its ``.0``."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _year(value: str) -> int | None:
    """The year of an idle-since cell: 2015, 2015年, 2015-06-01, 2015/6, 20150601 or an Excel serial."""
    matched = re.match(r"^(\d{4})(?:$|年|[-/.]\d|\d{4}$)", value)
    if matched and YEAR_RANGE[0] <= int(matched.group(1)) <= YEAR_RANGE[1]:
        return int(matched.group(1))
    try:
        serial = float(value)
    except ValueError:
        return None
    if EXCEL_SERIALS[0] <= serial < EXCEL_SERIALS[1]:
        return (EXCEL_EPOCH + dt.timedelta(days=int(serial))).year
    return None


def _rights(value: str) -> str | None:
    lowered = value.lower()
    kinds = {kind for kind, words in LAND_RIGHTS_WORDS if any(word in lowered for word in words)}
    return kinds.pop() if len(kinds) == 1 else None


def _park_key(value: str) -> str:
    folded = re.sub(r"[\s\-–—·_]+", "", unicodedata.normalize("NFKC", str(value)).lower())
    return folded.removeprefix("中关村")


def park_lookup(parks: pd.DataFrame) -> dict[str, str]:
    """Name key → park_id for the id, 海淀园, 海淀, Haidian Park, Haidian and each part of 大兴-亦庄园.

    Derived from the parks layer's own names, so authoritative replacements keep working;
    a variant shared by two parks is left out rather than guessed.
    """
    keys: dict[str, set[str]] = {}
    for park_id, zh, en in zip(parks["park_id"], parks["name_zh"], parks["name_en"], strict=True):
        zh_base, en_base = str(zh).removesuffix("园"), re.sub(r"(?i)\s*park$", "", str(en))
        variants = {park_id, zh, zh_base, en, en_base, *re.split(r"[-–—]", en_base)}
        for part in re.split(r"[-–—]", zh_base):
            variants |= {part, part + "园"}
        for variant in variants:
            keys.setdefault(_park_key(variant), set()).add(park_id)
    return {key: ids.pop() for key, ids in keys.items() if key and len(ids) == 1}


def _pairs_in_row_order(geoms: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every pair of rows (i < j) whose extents meet, ordered by i then j, a block of rows at a time.

    One query for all rows would hold every pair at once: 12.5 M index pairs, twice, for 1M plots. The
    blocks are looked up on every core, a few ahead of the block being used, and handed out in order.
    """
    tree = shared_tree(geoms)  # queried from the look-ahead threads

    def block(begin: int) -> tuple[np.ndarray, np.ndarray]:
        left, right = tree.query(
            geoms[begin : begin + _QUERY_BLOCK]
        )  # extents only: measuring settles the rest
        left = left + begin
        upper = left < right
        left, right = left[upper], right[upper]
        order = np.argsort(left.astype(np.int64) * len(geoms) + right, kind="stable")  # by left, then right
        return left[order], right[order]

    yield from ahead(block, range(0, len(geoms), _QUERY_BLOCK), depth=workers())


def _count_by_extents(bounds: np.ndarray, left: np.ndarray, right: np.ndarray) -> int:
    """How many pairs have extents sharing more than a sliver (an upper bound of those that overlap)."""
    count = 0
    for begin in range(0, len(left), _COUNTED_BLOCK):
        block = slice(begin, begin + _COUNTED_BLOCK)
        first, second = bounds[left[block]], bounds[right[block]]
        shared = _shared_extent(first, second)
        smaller = np.minimum(_extent_area(first), _extent_area(second))
        count += int(np.count_nonzero((shared > OVERLAP_MIN_M2) & (shared > OVERLAP_MIN_SHARE * smaller)))
    return count


class _Checks:
    """The attribute and cross-row checks of one plot table; problems collect in ``problems``."""

    def __init__(
        self,
        data: gpd.GeoDataFrame,
        mapping: ColumnMapping,
        rows: np.ndarray,
        metric: gpd.GeoSeries,
        *,
        max_overlap_rows: int,
    ) -> None:
        self.data, self.mapping, self.rows, self.metric = data, mapping, rows, metric
        self.max_overlap_rows = max_overlap_rows
        self._listed = self._unlisted = 0  # overlapping pairs listed, and found past the list
        self.problems: list[Problem] = []
        self.placed: Placed | None = None  # the plots placed by location (see park_ids)
        self.out: dict[str, pd.Series] = {}
        self._columns: dict[tuple[str, bool], pd.Series] = {}

    def field_name(self, canonical: str) -> str:
        """The column the user knows: the source header, else the canonical name."""
        return self.mapping.source(canonical) or canonical

    def column(self, canonical: str, *, fold: bool = False) -> pd.Series:
        """The column as text (see :func:`_text`), made once: every check and report reads it again."""
        key = (canonical, fold)
        if key not in self._columns:
            if canonical in self.data.columns:
                self._columns[key] = _text(self.data[canonical], fold=fold)
            else:
                self._columns[key] = pd.Series(pd.NA, index=self.data.index, dtype="string")
        return self._columns[key]

    def report(
        self, mask: pd.Series | np.ndarray, code: str, canonical: str, **values: pd.Series | str
    ) -> None:
        """One problem per row where ``mask`` holds, filled in with that row's ``values``."""
        flagged = np.flatnonzero(np.asarray(pd.array(mask, dtype="boolean").fillna(False), dtype=bool))
        if not flagged.size:
            return
        raw = self.column(canonical)
        for p in flagged:
            row_values = {k: v.iloc[p] if isinstance(v, pd.Series) else v for k, v in values.items()}
            value = raw.iloc[p]
            self.problems.append(
                problem(
                    code,
                    row=int(self.rows[p]),
                    field=self.field_name(canonical),
                    value=None if pd.isna(value) else value,
                    **row_values,
                )
            )

    def number(self, canonical: str, code: str = "value_not_numeric") -> pd.Series:
        """The column as floats in its canonical unit; cells that are not numbers are reported.

        Every cell is read from its text (:func:`_text`), so ``1,234`` and ``１５.０`` are numbers. A
        column GDAL or pandas already read as numbers skips the round trip, which gives each number
        back unchanged (an integer's digits, a float's shortest repr, inf as inf) but −0 as 0.
        """
        given = self.data[canonical] if canonical in self.data.columns else None
        if given is None:  # an absent column: no cell to read or report (each took 10 ms per 100k plots)
            return pd.Series(np.nan, index=self.data.index)
        if isinstance(given.dtype, np.dtype) and given.dtype.kind in "fiu":
            values = given.to_numpy(dtype=np.float64)  # as to_numeric reads an integer's digits, too
            parsed = pd.Series(np.where(values == 0, 0.0, values), index=given.index)
        else:
            text = self.column(canonical, fold=True)
            parsed = pd.to_numeric(text.str.replace(_SEPARATORS, "", regex=True), errors="coerce").astype(
                float
            )
            self.report(parsed.isna() & text.notna(), code, canonical)
        return parsed * self.mapping.factor(canonical)

    def run(self, parks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Run every check and assemble the canonical frame."""
        for canonical in ("name", "land_use_code", "owner", "status"):
            self.out[canonical] = self.column(canonical)
        self.plot_ids()
        ids = self.out["plot_id"].fillna("(no id)").to_numpy()
        # The overlap check is index queries and intersections, which release the GIL: it runs beside the
        # other checks on a second core, its problems listed after theirs as if it had run last.
        with ThreadPoolExecutor(1) as pool:
            overlapping = pool.submit(self.overlaps, ids)
            for check in (self.areas, self.far, self.idle_since, self.land_rights, self.land_use):
                check()
            self.park_ids(parks)
            self.problems += overlapping.result()
        extras = [c for c in self.data.columns if c not in CANONICAL_FIELDS and c != self.data.geometry.name]
        table = pd.DataFrame({name: self.out[name] for name in OUTPUT_COLUMNS}, index=self.data.index)
        result = pd.concat([table, self.data[extras]], axis=1)
        return gpd.GeoDataFrame(result, geometry=self.data.geometry.rename("geometry"), crs=self.data.crs)

    def plot_ids(self) -> None:
        if "plot_id" not in self.data.columns:
            self.out["plot_id"] = pd.Series(self.rows.astype(str), index=self.data.index, dtype="string")
            self.problems.append(problem("plot_id_generated", field="plot_id"))
            return
        ids = self.out["plot_id"] = self.column("plot_id")
        self.report(ids.isna(), "plot_id_empty", "plot_id")
        duplicated = ids.duplicated(keep=False) & ids.notna()
        rows = pd.Series(self.rows, index=ids.index)[duplicated]
        members = rows.groupby(ids[duplicated]).agg(list)
        others = pd.Series("", index=ids.index)
        others[duplicated] = [
            ", ".join(str(r) for r in members[i] if r != n)
            for i, n in zip(ids[duplicated], rows, strict=True)
        ]
        self.report(duplicated, "plot_id_duplicate", "plot_id", others=others)

    def areas(self) -> None:
        drawn = self.out["area_m2"] = pd.Series(self.metric.area.to_numpy(), index=self.data.index)
        self.out["area_mu"] = drawn / M2_PER_MU
        reported = self.out["area_reported_m2"] = self.number("area_reported")
        ratio = reported / drawn
        self.report(
            (ratio - 1).abs() > AREA_TOLERANCE,
            "area_mismatch",
            "area_reported",
            reported=reported,
            drawn=drawn,
            ratio=ratio,
        )

    def far(self) -> None:
        current = self.out["far_current"] = self.number("far_current", "far_not_numeric")
        permitted = self.out["far_permitted"] = self.number("far_permitted", "far_not_numeric")
        for name, far in (("far_current", current), ("far_permitted", permitted)):
            self.report((far < 0) | (far > FAR_MAX_PLAUSIBLE), "far_implausible", name, far=far)
        self.report(
            current > permitted, "far_above_permitted", "far_current", current=current, permitted=permitted
        )
        floor = self.out["floor_area_m2"] = self.number("floor_area_m2")
        expected = self.out["area_reported_m2"].fillna(self.out["area_m2"]) * current
        self.report(
            (floor / expected - 1).abs() > FLOOR_AREA_TOLERANCE,
            "floor_area_inconsistent",
            "floor_area_m2",
            floor=floor,
            expected=expected,
        )
        self.out["output_per_mu_wan"] = self.number("output_per_mu_wan")
        self.out["tax_per_mu_wan"] = self.number("tax_per_mu_wan")

    def idle_since(self) -> None:
        given = self.data["idle_since"] if "idle_since" in self.data.columns else None
        if given is not None and pd.api.types.is_integer_dtype(given.dtype):
            # Whole numbers (GDAL's integer field): each distinct one read as its digits, no text column made
            codes, distinct = pd.factorize(given, use_na_sentinel=True)
            read = pd.array([*(_year(str(int(v))) for v in distinct), None], dtype="Int64")
            years = pd.Series(read[codes], index=given.index)  # code -1 (a missing cell) takes the last: <NA>
            present: pd.Series | np.ndarray = codes >= 0
        else:
            text = self.column("idle_since", fold=True)
            years = text.map({v: _year(v) for v in text.dropna().unique()}).astype("Int64")
            present = text.notna()
        self.out["idle_since"] = years
        self.report(years.isna() & present, "idle_since_unparsable", "idle_since")
        self.report(years > dt.date.today().year, "idle_since_future", "idle_since", year=years)

    def land_rights(self) -> None:
        text = self.column("land_rights", fold=True)
        rights = text.map({v: _rights(v) for v in text.dropna().unique()}).astype("string")
        self.out["land_rights"] = rights
        self.report(rights.isna() & text.notna(), "land_rights_unknown", "land_rights")

    def land_use(self) -> None:
        """Class from the code; a given land_use_class column fills rows whose code gives none."""
        code = self.out["land_use_code"]
        classes, _schemes, found = classify_land_use(
            code, field=self.field_name("land_use_code"), row_numbers=self.rows
        )
        self.problems += found
        given = self.column("land_use_class")
        if given.notna().any():
            classes = classes.fillna(classify_land_use(given)[0])
        self.out["land_use_class"] = classes

    def park_ids(self, parks: gpd.GeoDataFrame) -> None:
        """Park names or ids normalised to park_id; plots without one are placed by location."""
        lookup = park_lookup(parks)
        given = self.column("park_id")
        park = given.map({v: lookup.get(_park_key(v)) for v in given.dropna().unique()}).astype("string")
        valid = ", ".join(f"{zh} ({pid})" for pid, zh in zip(parks["park_id"], parks["name_zh"], strict=True))
        self.report(park.isna() & given.notna(), "park_unknown", "park_id", valid=valid)
        locate = given.isna().to_numpy()
        if locate.any():
            # Placed by the outlines in metres, as the stock analysis places plots, which then takes these
            # answers (self.placed) instead of asking again.
            positions = np.flatnonzero(locate)
            # projected by the analysis's own path (project_geometries), so the parks' fingerprints match
            outlines = project_geometries(parks.geometry.to_numpy(), parks.crs)
            park_ids = parks["park_id"].to_numpy(dtype=object)
            in_park = first_parks(self.metric.to_numpy()[positions], outlines, park_ids)
            self.placed = Placed(positions, in_park, parks_fingerprint(outlines, park_ids))
            placed = np.flatnonzero(pd.notna(in_park))
            park.iloc[positions[placed]] = pd.array(in_park[placed], dtype="string")
            outside = self.rows[locate & park.isna().to_numpy()]
            if len(outside):
                examples = ", ".join(map(str, outside[:EXAMPLE_ROWS])) + (
                    " …" if len(outside) > EXAMPLE_ROWS else ""
                )
                self.problems.append(
                    problem("outside_parks", field="park_id", count=len(outside), examples=examples)
                )
        self.out["park_id"] = park

    def overlaps(self, ids: np.ndarray) -> list[Problem]:
        """Pairs of plots sharing more than a sliver, found with bulk spatial-index queries (``ids``: each
        row's plot id as the problems name it).

        The first ``max_overlap_rows`` pairs (in row order, so the same file lists the same pairs) get a
        row each. Measuring an overlap builds its intersection, so pairs are measured in chunks only until
        the list is full (and only pairs whose extents share more than a sliver: neighbours that merely
        touch are settled by their extents), and one summary row gives the rest: exact when every pair
        was measured, else an upper bound counting the unmeasured pairs whose extents share more than a
        sliver (a few array operations for millions of pairs; an exact DE-9IM test would cost five times
        the whole import). A clean inventory never reaches the cap and is measured in full; one drawn
        over itself stays bounded (100k plots with 1.75 M overlapping pairs: 1.6 s against 1.1 s for 100k
        clean ones, this check and the other plot checks only, 2 cores).
        """
        geoms = self.metric.to_numpy()
        found: list[Problem] = []
        cap = self.max_overlap_rows
        chunk = max(4 * cap, 10_000)
        areas, bounds = shapely.area(geoms), shapely.bounds(geoms)
        waiting = (np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp))  # pairs found, not yet measured
        counted = past = 0  # pairs past the measured ones: those whose extents share more than a sliver, all
        for left, right in _pairs_in_row_order(geoms):
            rest = (left, right)
            if self._listed < cap:
                waiting = (np.concatenate([waiting[0], left]), np.concatenate([waiting[1], right]))
                while len(waiting[0]) >= chunk and self._listed < cap:
                    (a, rest_a), (b, rest_b) = np.split(waiting[0], [chunk]), np.split(waiting[1], [chunk])
                    found += self._measure(geoms, areas, bounds, a, b, ids=ids)
                    waiting = (rest_a, rest_b)
                if self._listed < cap:
                    continue
                rest, waiting = waiting, (waiting[0][:0], waiting[1][:0])  # the list is full
            counted += _count_by_extents(bounds, *rest)
            past += len(rest[0])
        if len(waiting[0]):  # the last chunk, shorter, while the list has room
            found += self._measure(geoms, areas, bounds, *waiting, ids=ids)
        if past:  # not measured: counted by extents that share an area (an upper bound)
            more, code = self._unlisted + counted, "plots_overlap_many"
        else:
            more, code = self._unlisted, "plots_overlap_more"
        if more:
            total = self._listed + more
            found.append(problem(code, field="geometry", more=more, total=total, cap=cap))
        return found

    def _measure(
        self,
        geoms: np.ndarray,
        areas: np.ndarray,
        bounds: np.ndarray,
        a: np.ndarray,
        b: np.ndarray,
        *,
        ids: np.ndarray,
    ) -> list[Problem]:
        """Measure one chunk of pairs: the overlaps listed while the list has room; the rest counted."""
        smaller = np.minimum(areas[a], areas[b])
        # Neighbours that only touch share no area: only pairs whose extents share more than a sliver
        # (with room for rounding) can overlap by more than one, so only those are intersected.
        extents = _shared_extent(bounds[a], bounds[b]) * (1 + _EXTENT_SLACK) + _EXTENT_SLACK
        measure = np.flatnonzero((extents > OVERLAP_MIN_M2) & (extents > OVERLAP_MIN_SHARE * smaller))
        shared = np.zeros(len(a))
        shared[measure] = shapely.area(shapely.intersection(geoms[a[measure]], geoms[b[measure]]))
        found = np.flatnonzero((shared > OVERLAP_MIN_M2) & (shared > OVERLAP_MIN_SHARE * smaller))
        shown = found[: self.max_overlap_rows - self._listed]
        self._listed, self._unlisted = self._listed + len(shown), self._unlisted + len(found) - len(shown)
        return self._overlap_rows(ids, a[shown], b[shown], shared[shown], smaller[shown])

    def _overlap_rows(
        self, ids: np.ndarray, left: np.ndarray, right: np.ndarray, shared: np.ndarray, smaller: np.ndarray
    ) -> list[Problem]:
        return [
            problem(
                "plots_overlap",
                row=int(self.rows[a]),
                field="geometry",
                value=ids[b],
                a=ids[a],
                b=ids[b],
                row_a=int(self.rows[a]),
                row_b=int(self.rows[b]),
                overlap=overlap,
                share=overlap / small,
            )
            for a, b, overlap, small in zip(left, right, shared, smaller, strict=True)
        ]
