"""The import pipeline: read any supported file, settle its CRS, check it, and report — one call."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import geopandas as gpd
import numpy as np
import shapely

from zgc_geo.catalogue import layer_spec, load_layer, validate_frame
from zgc_geo.errors import OptionError, UnreadableInputError
from zgc_geo.i18n import Both, Sentence
from zgc_geo.importing.columns import ColumnMapping, guess_mapping
from zgc_geo.importing.crs_guess import (
    CrsCandidate,
    could_be_web_datum,
    diagnose_location,
    resolve_crs,
    suggest_crs,
    web_datum_problems,
)
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.plots import normalise_plots_measured
from zgc_geo.importing.readers import read_vector
from zgc_geo.importing.report import ImportReport, Problem
from zgc_geo.importing.source import ReadResult
from zgc_geo.placement import Placed

if TYPE_CHECKING:  # the table and raster readers load openpyxl and rasterio: only when such a file comes
    from zgc_geo.importing.raster import RasterInfo

ImportKind = Literal["plots", "parks", "layer", "auto"]
#: What a file can be read as; "auto" (the command line's default) is "plots" when every feature is a
#: polygon and "layer" otherwise, and the report says which was chosen.
IMPORT_KINDS: Final[tuple[ImportKind, ...]] = ("plots", "parks", "layer")
AUTO_KIND: Final = "auto"

TABLE_SUFFIXES: Final = frozenset({".csv", ".txt", ".xlsx", ".xls"})
RASTER_SUFFIXES: Final = frozenset({".tif", ".tiff"})
VECTOR_SUFFIXES: Final = frozenset({".geojson", ".json", ".gpkg", ".shp", ".zip", ".kml", ".kmz"})
#: Codes of resolve_crs errors saying the numbers do not fit the CRS (features cannot be placed).
CRS_UNFIT_CODES: Final = frozenset({"zone_prefix", "crs_mismatch"})
#: Errors that put features in the wrong place: every later finding on those rows (zero area,
#: outside every park, empty geometry …) is a symptom of it, so the rows skip the later checks
#: and the one cause is reported once, with its count.
ROOT_CAUSE_CODES: Final = CRS_UNFIT_CODES | {
    "coordinates_not_finite",
    "axes_swapped",
    "metres_as_degrees",
    "degrees_as_metres",
}
#: Files an upload may contain: vector and table formats plus shapefile sidecars.
UPLOAD_SUFFIXES: Final = TABLE_SUFFIXES | RASTER_SUFFIXES | VECTOR_SUFFIXES | {".dbf", ".shx", ".prj", ".cpg"}


@dataclass(frozen=True)
class ImportOptions:
    """What the user decided (or left to detection) for one import.

    ``crs`` accepts anything pyproj parses plus the datum names ``wgs84``, ``gcj02``
    and ``bd09``; ``column_overrides`` maps canonical plot fields to source columns;
    ``swap_axes`` reads every x as y and y as x (latitude-first files).
    """

    kind: ImportKind = "plots"
    crs: str | None = None
    encoding: str | None = None
    layer: str | None = None
    column_overrides: dict[str, str] = field(default_factory=dict)
    x_column: str | None = None
    y_column: str | None = None
    wkt_column: str | None = None
    swap_axes: bool = False
    limits: ImportLimits = field(default_factory=ImportLimits.from_env)

    def __post_init__(self) -> None:
        if self.kind not in (*IMPORT_KINDS, AUTO_KIND):
            valid = ", ".join((*IMPORT_KINDS, AUTO_KIND))
            raise OptionError(f"unknown import kind {self.kind!r}; valid: {valid}")


@dataclass
class ImportResult:
    """The outcome of one import: the cleaned features (if any), the report, and what was read.

    ``frame`` is None when nothing usable could be produced yet (e.g. the CRS must
    be chosen first); ``crs_candidates`` then says what to offer the user.
    """

    report: ImportReport
    frame: gpd.GeoDataFrame | None = None
    read: ReadResult | None = None
    raster: RasterInfo | None = None
    mapping: ColumnMapping | None = None
    crs_candidates: list[CrsCandidate] = field(default_factory=list)
    #: Plots only: the outlines of ``frame`` in EPSG:4548 as the checks measured them (same index), for
    #: an analysis of this very frame (:func:`zgc_geo.stock.analysis.analyse_stock`'s ``outlines``).
    outlines: gpd.GeoSeries | None = None
    #: Plots only: the parks the checks found for plots that name none (positions in ``frame``), for the
    #: same analysis (:func:`~zgc_geo.stock.analysis.analyse_stock`'s ``placed``).
    placed: Placed | None = None

    @property
    def verdict(self) -> str:
        """One line: usable or not, features, error and warning counts (English, as the CLI prints it)."""
        return self.verdict_in("en")

    def take_outlines(self) -> gpd.GeoSeries | None:
        """:attr:`outlines`, no longer held here: a caller that hands them on as its last use of them lets
        them be freed as soon as that use is over (0.4 GB per 1M plots)."""
        outlines, self.outlines = self.outlines, None
        return outlines

    def verdict_in(self, lang: str) -> str:
        """:attr:`verdict` in ``lang``."""
        return self.report.verdict(None if self.frame is None else len(self.frame), lang)


def import_file(path: Path, options: ImportOptions | None = None) -> ImportResult:
    """Read, settle the CRS of, and check one input file.

    Raises
    ------
    UnreadableInputError
        The file cannot be read at all (missing, corrupt, hostile, over a limit).
    OptionError
        An option is invalid (unknown CRS, encoding, layer …).
    """
    options = options or ImportOptions()
    path = Path(path)
    if not path.is_file():
        raise UnreadableInputError(f"{path}: no such file")
    options.limits.check_file_size(path.name, path.stat().st_size)
    suffix = path.suffix.lower()
    if suffix in RASTER_SUFFIXES:
        from zgc_geo.importing.raster import inspect_raster  # noqa: PLC0415 - loads rasterio

        info = inspect_raster(path, options.limits)
        return ImportResult(report=ImportReport(path.name, list(info.problems)), raster=info)
    read = _read(path, suffix, options)
    return _check(read, options)


def _read(path: Path, suffix: str, options: ImportOptions) -> ReadResult:
    if suffix in TABLE_SUFFIXES:
        from zgc_geo.importing.tables import read_table  # noqa: PLC0415 - loads openpyxl

        return read_table(
            path,
            encoding=options.encoding,
            x_column=options.x_column,
            y_column=options.y_column,
            wkt_column=options.wkt_column,
            sheet=options.layer,
            limits=options.limits,
        )
    if suffix in VECTOR_SUFFIXES:
        return read_vector(path, layer=options.layer, encoding=options.encoding, limits=options.limits)
    supported = ", ".join(sorted(TABLE_SUFFIXES | VECTOR_SUFFIXES | RASTER_SUFFIXES))
    raise UnreadableInputError(
        f"{path.name}: files ending in {suffix or '(nothing)'} are not supported; use {supported}"
    )


def _check(read: ReadResult, options: ImportOptions) -> ImportResult:
    report = ImportReport(read.source_name, list(read.problems))
    result = ImportResult(report=report, read=read)
    if read.frame.empty:
        if not report.errors:
            report.add(
                Problem(
                    "error",
                    "empty_file",
                    "the file contains no features",
                    "check the file and the layer",
                    text=Sentence("import.problem.empty_file"),
                    page_hint=Sentence("import.page_hint.empty_file"),
                )
            )
        return result
    read_frame, problems = _without_unusable_coordinates(read.frame, read.first_row_number)
    report.extend(problems)
    if options.swap_axes:
        read_frame = _swapped(read_frame)
        report.add(
            Problem(
                "info",
                "axes_swapped_on_request",
                "x and y were swapped as asked: the first coordinate is read as latitude / northing",
                text=Sentence("import.problem.axes_swapped_on_request"),
            )
        )
    frame, problems = resolve_crs(
        read_frame, options.crs, read.crs_basis, first_row_number=read.first_row_number
    )
    report.extend(problems)
    placed, unfit = _placed(frame), bool({p.code for p in problems} & CRS_UNFIT_CODES)
    if frame.crs is None or (unfit and not placed.any()):
        # Without positions every further check would only repeat the CRS error, once per row.
        result.crs_candidates = suggest_crs(read.frame)
        return result
    parks = load_layer("parks")
    lonlat = could_be_web_datum(read_frame.crs, options.crs)
    frame = _without_explained(frame, _explained_rows(report.problems), read.first_row_number)
    report.extend(diagnose_location(frame, parks, first_row_number=read.first_row_number, web_datums=False))
    # The web-datum comparison only ever warns, so it runs on a second core beside the checks below; its
    # warning keeps its place in the report, right after the other findings about where features lie.
    offsets_at = len(report.problems)
    with ThreadPoolExecutor(1) as pool:
        offsets = (
            pool.submit(web_datum_problems, frame, parks, first_row_number=read.first_row_number)
            if lonlat
            else None
        )
        result.frame = _checked(frame, parks, read, options, result)
        if offsets is not None:
            report.problems[offsets_at:offsets_at] = offsets.result()
    return result


def _checked(
    frame: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    read: ReadResult,
    options: ImportOptions,
    result: ImportResult,
) -> gpd.GeoDataFrame:
    """The features checked as the kind they are (plots, parks, other); their problems go to the report."""
    report = result.report
    explained = _explained_rows(report.problems)
    frame = _without_explained(frame, explained, read.first_row_number)
    kind = options.kind
    if kind == AUTO_KIND:
        kind, chosen = _kind_of(frame)
        report.add(chosen)
    if kind == "plots":
        mapping = guess_mapping(list(frame.columns.drop(frame.geometry.name)))
        if options.column_overrides:
            mapping = mapping.with_overrides(options.column_overrides)
        cleaned, problems, result.outlines, result.placed = normalise_plots_measured(
            frame,
            mapping=mapping,
            parks=parks,
            first_row_number=read.first_row_number,
            max_overlap_rows=options.limits.max_overlap_rows,
        )
        result.mapping = mapping
    elif kind == "parks":
        cleaned, problems = _check_parks(frame)
    else:
        cleaned, problems = _clean_generic(frame, read.first_row_number)
    report.extend(p for p in problems if not (p.code == "geometry_empty" and p.row in explained))
    return cleaned


def _explained_rows(problems: list[Problem]) -> set[int]:
    """Rows whose features a root-cause error already puts in the wrong place (or nowhere)."""
    explained: set[int] = set()
    for problem in problems:
        if problem.code in ROOT_CAUSE_CODES and problem.severity == "error":
            explained.update(problem.rows or ([problem.row] if problem.row is not None else []))
    return explained


def _without_explained(
    frame: gpd.GeoDataFrame, explained: set[int], first_row_number: int
) -> gpd.GeoDataFrame:
    """``frame`` without the geometries a root cause names: later checks would only list symptoms of it."""
    misplaced = np.isin(np.arange(len(frame)) + first_row_number, sorted(explained))
    if not misplaced.any():
        return frame
    frame = frame.copy()
    frame.loc[misplaced, frame.geometry.name] = None
    return frame


def _swapped(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` with x and y exchanged in every coordinate (z, if any, kept)."""
    out = frame.copy()
    geoms = frame.geometry.to_numpy()
    out[frame.geometry.name] = shapely.transform(geoms, lambda xy: xy[:, ::-1].copy())
    return out


#: Geometry types as the page words them: shapely's name → (Chinese, English).
_GEOMETRY_WORDS: Final = {
    "point": ("点", "point"),
    "multipoint": ("多点", "multipoint"),
    "linestring": ("线", "line"),
    "linearring": ("线", "line"),
    "multilinestring": ("多线", "multiline"),
    "geometrycollection": ("几何集合", "geometry collection"),
}


def _kind_of(frame: gpd.GeoDataFrame) -> tuple[ImportKind, Problem]:
    """ "plots" when every present geometry is a polygon, else "layer"; and the report line saying so."""
    geoms = frame.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms[~shapely.is_missing(geoms)])
    polygonal = np.isin(kinds, [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON])
    if polygonal.all():  # no geometry left at all: the plot checks say what is missing
        why = (
            "every feature is a polygon"
            if kinds.size
            else "no feature has a usable geometry to say otherwise"
        )
        message = f"read as a plot inventory: {why} (--as plots)"
        text = Sentence(
            "import.problem.kind_plots" if kinds.size else "import.problem.kind_plots_no_geometry"
        )
        return "plots", Problem("info", "kind_chosen", message, value="plots", text=text)
    found = ", ".join(sorted({shapely.GeometryType(k).name.lower() for k in np.unique(kinds[~polygonal])}))
    message = f"read as a layer, not a plot inventory: it has {found or 'no'} geometries (plots are polygons)"
    hint = "pass --as plots to check it as a plot inventory anyway"
    types = sorted({shapely.GeometryType(k).name.lower() for k in np.unique(kinds[~polygonal])})
    worded = Both(
        zh="、".join(_GEOMETRY_WORDS.get(t, (t, t))[0] for t in types) or "-",
        en=", ".join(_GEOMETRY_WORDS.get(t, (t, t))[1] for t in types) or "-",
    )
    text = Sentence("import.problem.kind_layer", {"found": worded})
    page_hint = Sentence("import.page_hint.kind_layer")
    return "layer", Problem(
        "info", "kind_chosen", message, hint, value="layer", text=text, page_hint=page_hint
    )


#: Rows named one by one in the report before the rest are counted.
SHOWN_ROWS: Final = 20


def _without_unusable_coordinates(
    frame: gpd.GeoDataFrame, first_row_number: int
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """``frame`` with every geometry holding a NaN or infinite coordinate removed, each row reported.

    GeoJSON allows neither, but JSON parsers accept ``NaN`` and ``Infinity``; no later step can
    place, measure or repair such a shape (GEOS refuses it), so it is dropped here, once, with the
    reason, instead of failing somewhere downstream.
    """
    geoms = frame.geometry.to_numpy()
    if np.isfinite(shapely.get_coordinates(geoms)).all():  # x and y: a 2-D shape has z = NaN
        return frame, []  # the usual case, found without the owner of every coordinate
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    bad_rows = np.unique(owner[~np.isfinite(coords).all(axis=1)])
    problems = [
        Problem(
            "error", "coordinates_not_finite",
            "the geometry has a coordinate that is not a number (NaN) or is infinite; the row is dropped",
            "correct the coordinates at their source, or delete the feature", row=int(i) + first_row_number,
            field="geometry", text=Sentence("import.problem.coordinates_not_finite"),
            page_hint=Sentence("import.page_hint.coordinates_not_finite"),
        )
        for i in bad_rows[:SHOWN_ROWS]
    ]  # fmt: skip
    if bad_rows.size > SHOWN_ROWS:
        hidden = bad_rows[SHOWN_ROWS:]
        more = f"… and {hidden.size} more row(s) with such coordinates"
        text = Sentence("import.problem.coordinates_not_finite_more", {"count": int(hidden.size)})
        rows = tuple(int(i) + first_row_number for i in hidden)
        problems.append(Problem("error", "coordinates_not_finite", more, text=text, rows=rows))
    cleaned = frame.copy()
    cleaned.loc[cleaned.index[bad_rows], cleaned.geometry.name] = None
    return cleaned, problems


def _placed(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Which features have finite coordinates (a failed transformation gives inf)."""
    return np.isfinite(shapely.bounds(frame.geometry.to_numpy())).all(axis=1)


def _check_parks(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """A replacement parks layer must meet the shipped layer's contract (same ids, fields, types)."""
    spec = layer_spec("parks")
    problems = [
        Problem(
            "error",
            "parks_contract",
            line,
            "see the parks entry in layers/manifest.toml and the README",
            text=Sentence("import.problem.parks_contract", {"detail": line}),
            page_hint=Sentence("import.page_hint.parks_contract"),
        )
        for line in validate_frame(frame, spec)
    ]
    missing = sorted(set(load_layer("parks")["park_id"]) - set(frame.get(spec.id_field, [])))
    if missing:
        problems.append(
            Problem(
                "error",
                "parks_missing",
                f"{len(missing)} of the 16 park_id values are missing: {', '.join(missing)}",
                "keep the shipped park_id values so clusters and feature parks still match",
                text=Sentence(
                    "import.problem.parks_missing", {"count": len(missing), "ids": ", ".join(missing)}
                ),
                page_hint=Sentence("import.page_hint.parks_missing"),
            )
        )
    return frame, problems


def _clean_generic(frame: gpd.GeoDataFrame, first_row_number: int) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Any other layer: repair invalid geometries, drop empty ones, report both by row."""
    geoms = frame.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    invalid = ~empty & ~shapely.is_valid(geoms)
    problems = [
        Problem(
            "error",
            "geometry_empty",
            "empty geometry; the feature was dropped",
            row=int(i) + first_row_number,
            text=Sentence("import.problem.layer_geometry_empty"),
        )
        for i in empty.nonzero()[0]
    ]
    problems += [
        Problem(
            "warning",
            "geometry_repaired",
            "invalid geometry repaired with make_valid",
            "check the shape",
            row=int(i) + first_row_number,
            text=Sentence("import.problem.layer_geometry_repaired"),
            page_hint=Sentence("import.page_hint.layer_geometry_repaired"),
        )
        for i in invalid.nonzero()[0]
    ]
    cleaned = frame.copy()
    cleaned.loc[invalid, cleaned.geometry.name] = shapely.make_valid(geoms[invalid])
    return gpd.GeoDataFrame(cleaned[~empty]), problems


_SAFE_NAME = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff._\-]+")


def stage_uploads(files: list[tuple[str, bytes]], dest: Path, limits: ImportLimits) -> Path:
    """Write uploaded files into ``dest`` under safe names and return the one to import.

    Upload names are untrusted: only the final name component survives, with
    anything outside letters, digits, CJK, ``._-`` replaced. A shapefile may arrive
    as its separate parts; the ``.shp`` is then the file to import.
    """
    if not files:
        raise UnreadableInputError("no file was uploaded")
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, data in files:
        safe = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).lstrip(".") or "upload"
        suffix = Path(safe).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise UnreadableInputError(
                f"{name}: files ending in {suffix or '(nothing)'} are not accepted; "
                f"accepted: {', '.join(sorted(UPLOAD_SUFFIXES))}"
            )
        limits.check_file_size(name, len(data))
        target = dest / safe
        target.write_bytes(data)
        written.append(target)
    shapefiles = [p for p in written if p.suffix.lower() == ".shp"]
    if len(shapefiles) == 1:
        return shapefiles[0]
    primary = [p for p in written if p.suffix.lower() not in {".dbf", ".shx", ".prj", ".cpg"}]
    if len(primary) != 1:
        names = ", ".join(p.name for p in primary) or "only shapefile sidecars"
        raise UnreadableInputError(
            f"upload one dataset at a time (a file, a .zip, or one shapefile's parts); got {names}"
        )
    return primary[0]
