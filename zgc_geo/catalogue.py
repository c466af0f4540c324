"""Catalogue of the plan's data layers: load each one from the manifest and validate it on load."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from zgc_geo.errors import LayerError, LayerNotFoundError
from zgc_geo.manifest import LIST_SEPARATOR, LayerSpec, default_data_dir, manifest_path, read_manifest

_ID_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
#: Problems shown per layer before the rest are summarised: enough to act on, short enough to read.
_MAX_PROBLEMS_SHOWN: Final = 20


def layer_specs(data_dir: Path | None = None) -> dict[str, LayerSpec]:
    """All layer specs of the manifest, keyed by name."""
    return read_manifest(manifest_path(data_dir))


def layer_spec(name: str, data_dir: Path | None = None) -> LayerSpec:
    """The spec of one layer; an unknown name lists the valid ones."""
    specs = layer_specs(data_dir)
    if name not in specs:
        raise LayerNotFoundError(
            f"no layer named {name!r} in the manifest; valid names: {', '.join(sorted(specs))}"
        )
    return specs[name]


def load_layer(name: str, data_dir: Path | None = None) -> gpd.GeoDataFrame | pd.DataFrame:
    """Load a layer by manifest name, validated against its contract.

    Returns a GeoDataFrame in the manifest CRS for vector layers and a DataFrame for
    tables; ``list_fields`` come back as lists of strings and ``numeric_fields`` as
    floats (NaN where empty).
    """
    return layer_from_file(layer_spec(name, data_dir))


def layer_from_file(spec: LayerSpec, path: Path | None = None) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read ``path`` (default: the spec's own file) and validate it against ``spec``.

    Passing another path lets a user check a replacement file, such as
    authoritative park boundaries, against the contract of the shipped layer.
    """
    path = Path(path or spec.path)
    if not path.is_file():
        raise LayerNotFoundError(
            f"layer {spec.name!r}: file {path} does not exist; restore it from the "
            "repository or fix its path in layers/manifest.toml."
        )
    frame = _read_vector(path, spec) if spec.is_vector else _read_table(path, spec)
    problems = validate_frame(frame, spec)
    if problems:
        raise LayerError(_problem_report(path, problems))
    return _typed(frame, spec)


def _read_vector(path: Path, spec: LayerSpec) -> gpd.GeoDataFrame:
    try:
        with warnings.catch_warnings():
            # A column mixing numbers and text is left as text by pyogrio, with a
            # warning; validation then reports the offending cells by row instead.
            warnings.filterwarnings("ignore", message="Could not parse column", category=UserWarning)
            frame = pyogrio.read_dataframe(path, encoding="UTF-8")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise LayerError(f"{path}: cannot be read as a vector layer ({exc}).") from exc
    return frame


def _read_table(path: Path, spec: LayerSpec) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise LayerError(f"{path}: cannot be read as a UTF-8 CSV table ({exc}).") from exc


def validate_frame(frame: pd.DataFrame, spec: LayerSpec) -> list[str]:
    """Every way ``frame`` breaks the contract of ``spec``, as readable lines.

    Collects all problems rather than stopping at the first, so that a user fixing a
    file sees the whole list at once. Each line names the feature (row number and
    id) and the field.
    """
    problems: list[str] = []
    missing = [f for f in spec.required_fields if f not in frame.columns]
    if missing:
        problems.append(f"missing required field(s): {', '.join(missing)}")
    if spec.is_vector:
        problems += _geometry_problems(frame, spec)
    if spec.id_field in frame.columns:
        problems += _id_problems(frame, spec)
    problems += _numeric_problems(frame, spec)
    if spec.expected_count is not None and len(frame) != spec.expected_count:
        problems.append(f"expected {spec.expected_count} features, found {len(frame)}")
    return problems


def _row_label(frame: pd.DataFrame, spec: LayerSpec, positions: np.ndarray) -> list[str]:
    ids = frame[spec.id_field].astype(str).to_numpy() if spec.id_field in frame.columns else None
    return [
        f"feature {pos + 1}" + (f" ({spec.id_field}={ids[pos]!r})" if ids is not None else "")
        for pos in positions
    ]


def _geometry_problems(frame: pd.DataFrame, spec: LayerSpec) -> list[str]:
    if not isinstance(frame, gpd.GeoDataFrame):
        return ["has no geometry column"]
    problems: list[str] = []
    if frame.crs is None:
        problems.append(f"has no CRS; expected {spec.crs}")
    elif spec.crs and not CRS.from_user_input(frame.crs).equals(CRS.from_user_input(spec.crs)):
        problems.append(f"is in {CRS.from_user_input(frame.crs).to_string()}; expected {spec.crs}")
    geoms = frame.geometry.to_numpy()
    checks = (
        (shapely.is_missing(geoms) | shapely.is_empty(geoms), "has an empty or missing geometry"),
        (~shapely.is_valid(geoms) & ~shapely.is_missing(geoms), "has an invalid geometry"),
        (
            ~np.isin(shapely.get_type_id(geoms), _type_ids(spec.geometry_types)) & ~shapely.is_missing(geoms),
            f"geometry type is not one of {', '.join(spec.geometry_types)}",
        ),
    )
    for mask, message in checks:
        for label in _row_label(frame, spec, np.flatnonzero(mask)):
            problems.append(f"{label}, field 'geometry': {message}")
    return problems


def _type_ids(names: tuple[str, ...]) -> list[int]:
    ids = {
        "Point": 0,
        "LineString": 1,
        "Polygon": 3,
        "MultiPoint": 4,
        "MultiLineString": 5,
        "MultiPolygon": 6,
        "GeometryCollection": 7,
    }
    return [ids[name] for name in names]


def _id_problems(frame: pd.DataFrame, spec: LayerSpec) -> list[str]:
    ids = frame[spec.id_field].astype("string").fillna("")
    problems = [
        f"{label}, field {spec.id_field!r}: id is empty"
        for label in _row_label(frame, spec, np.flatnonzero((ids == "").to_numpy()))
    ]
    bad = ~ids.str.match(_ID_PATTERN) & (ids != "")
    problems += [
        f"{label}, field {spec.id_field!r}: ids must be lower-case ASCII slugs (a-z, 0-9, _ or -)"
        for label in _row_label(frame, spec, np.flatnonzero(bad.to_numpy()))
    ]
    dup = ids.duplicated(keep=False) & (ids != "")
    problems += [
        f"{label}, field {spec.id_field!r}: id is not unique"
        for label in _row_label(frame, spec, np.flatnonzero(dup.to_numpy()))
    ]
    return problems


def _numeric_problems(frame: pd.DataFrame, spec: LayerSpec) -> list[str]:
    problems: list[str] = []
    for name in spec.numeric_fields:
        if name not in frame.columns:
            continue
        text = frame[name].astype("string").fillna("").str.strip()
        parsed = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = parsed.isna() & (text != "")
        for label, value in zip(
            _row_label(frame, spec, np.flatnonzero(bad.to_numpy())), text[bad], strict=True
        ):
            problems.append(f"{label}, field {name!r}: {value!r} is not a number (leave it empty if unknown)")
    return problems


def _problem_report(path: Path, problems: list[str]) -> str:
    shown = problems[:_MAX_PROBLEMS_SHOWN]
    more = len(problems) - len(shown)
    lines = [f"{path}: {len(problems)} problem(s):", *(f"  - {p}" for p in shown)]
    if more:
        lines.append(f"  … and {more} more")
    return "\n".join(lines)


def _typed(frame: pd.DataFrame, spec: LayerSpec) -> pd.DataFrame:
    frame = frame.copy()
    for name in spec.list_fields:
        if name in frame.columns:
            frame[name] = [split_list(value) for value in frame[name]]
    for name in spec.numeric_fields:
        if name in frame.columns:
            text = frame[name].astype("string").fillna("").str.strip()
            frame[name] = pd.to_numeric(text.where(text != ""), errors="coerce").astype(float)
    return frame


def split_list(value: object) -> list[str]:
    """Split a ``;``-separated field into its items (empty or missing → [])."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [item.strip() for item in str(value).split(LIST_SEPARATOR) if item.strip()]


@dataclass(frozen=True)
class CatalogueEntry:
    """One line of the catalogue listing: what a layer holds and where it comes from."""

    name: str
    title_en: str
    title_zh: str
    features: int
    geometry_types: str
    crs: str
    sections: str
    source: str
    licence: str


def catalogue(data_dir: Path | None = None) -> list[CatalogueEntry]:
    """Load and validate every manifest layer and describe it.

    Loading (not just listing) means a broken layer fails here, with its own
    message, instead of later in the middle of an analysis.
    """
    entries = []
    for spec in layer_specs(data_dir).values():
        frame = layer_from_file(spec)
        if spec.is_vector:
            types = ", ".join(sorted(set(frame.geometry.geom_type)))
            crs = CRS.from_user_input(frame.crs).to_string()
        else:
            types, crs = "table", "—"
        entries.append(
            CatalogueEntry(
                name=spec.name,
                title_en=spec.title_en,
                title_zh=spec.title_zh,
                features=len(frame),
                geometry_types=types,
                crs=crs,
                sections=", ".join(spec.sections),
                source=spec.source,
                licence=spec.licence,
            )
        )
    return entries


@cache
def _cached_layer(name: str, data_dir: Path) -> gpd.GeoDataFrame | pd.DataFrame:
    return load_layer(name, data_dir)


def shipped_layer(name: str) -> gpd.GeoDataFrame | pd.DataFrame:
    """A shipped layer, loaded once per process; callers get a copy they may modify."""
    return _cached_layer(name, default_data_dir()).copy()
