"""Basemap tiles served by the app itself, for intranets: XYZ folders under ``static/tiles/``.

A tile set is a folder ``static/tiles/<name>/{z}/{x}/{y}.png`` (or ``.jpg`` / ``.webp``),
served by Streamlit at ``/app/static/tiles/<name>/…``. An optional ``datum.txt`` saying
``gcj02`` marks tiles drawn in GCJ-02 (overlays are then shifted to match); an optional
``metadata.json`` (written by :func:`tiles_from_mbtiles`) carries the format, zoom range and
attribution. :func:`tiles_from_mbtiles` unpacks an MBTiles file into such a folder.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from zgc_geo.datums import normalize_datum
from zgc_geo.errors import DatumError, InputTooLargeError, OptionError, UnreadableInputError
from zgc_geo.mapping.web_assets import static_dir

TILES_FOLDER: Final = "tiles"
DATUM_FILE: Final = "datum.txt"
METADATA_FILE: Final = "metadata.json"
#: Tile-set names: a URL path segment and a folder name, nothing that could climb out of static/.
NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: Guards for :func:`tiles_from_mbtiles`: web-map zooms, and what a campus tile set needs.
MAX_ZOOM: Final = 22
MAX_TILES: Final = 500_000
MAX_BYTES: Final = 4 * 1024**3
MAX_TILE_BYTES: Final = 4 * 1024**2
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_MAGIC: Final = {"png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",), "webp": (b"RIFF",)}
_FORMATS: Final = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp"}


@dataclass(frozen=True)
class LocalTileSet:
    """One XYZ folder; ``problem`` is empty when it can be used, else says why not."""

    name: str
    path: Path
    ext: str = ""
    min_zoom: int = 0
    max_zoom: int = 0
    datum: str = "wgs84"
    attribution: str = ""
    problem: str = ""


def tiles_root() -> Path:
    """``<static dir>/tiles``: where tile sets live (it may not exist)."""
    return static_dir() / TILES_FOLDER


def local_tile_sets() -> list[LocalTileSet]:
    """Every folder in :func:`tiles_root`, by name; hidden and partly unpacked folders are skipped."""
    root = tiles_root()
    if not root.is_dir():
        return []
    return [_inspect(p) for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".")]


def _inspect(folder: Path) -> LocalTileSet:
    name = folder.name
    if not NAME_PATTERN.fullmatch(name):
        return LocalTileSet(name, folder, problem="folder name must be letters, digits, '-' or '_'")
    try:
        datum = _read_datum(folder)
    except DatumError as exc:
        return LocalTileSet(name, folder, problem=str(exc))
    meta = _read_metadata(folder)
    zooms = sorted(int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit())
    if not zooms:
        return LocalTileSet(name, folder, datum=datum, problem="no {z}/{x}/{y} tiles in the folder")
    ext = _FORMATS.get(str(meta.get("format", "")).lower()) or _sniff_extension(folder / str(zooms[0]))
    if not ext:
        return LocalTileSet(name, folder, datum=datum, problem="no .png, .jpg or .webp tiles found")
    attribution = html.escape(str(meta.get("attribution") or f"本地瓦片 Local tiles: {name}"))
    return LocalTileSet(name, folder, ext, zooms[0], zooms[-1], datum, attribution)


def _read_datum(folder: Path) -> str:
    file = folder / DATUM_FILE
    if not file.is_file():
        return "wgs84"
    datum = normalize_datum(file.read_text(encoding="utf-8", errors="replace").strip() or "wgs84")
    if datum == "bd09":
        raise DatumError(f"{DATUM_FILE} says BD-09; only wgs84 or gcj02 tiles can be aligned")
    return datum


def _read_metadata(folder: Path) -> dict[str, object]:
    try:
        meta = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _sniff_extension(zoom_dir: Path) -> str:
    for column in sorted(zoom_dir.iterdir()):
        if column.is_dir():
            for tile in column.iterdir():
                ext = _FORMATS.get(tile.suffix.lstrip(".").lower(), "")
                if ext:
                    return tile.suffix.lstrip(".")
    return ""


def tiles_from_mbtiles(
    mbtiles: Path,
    name: str,
    *,
    datum: str = "wgs84",
    overwrite: bool = False,
    max_tiles: int = MAX_TILES,
    max_bytes: int = MAX_BYTES,
) -> Path:
    """Unpack a raster MBTiles file into ``static/tiles/<name>/{z}/{x}/{y}.<ext>``; return the folder.

    MBTiles rows count from the south (TMS); XYZ rows from the north, so ``y = 2**z - 1 - row``.
    The tiles are written to a hidden temporary folder beside the target and renamed into
    place at the end, so the app never sees half a tile set. ``datum="gcj02"`` records that
    the tiles are in GCJ-02 (``datum.txt``).

    Raises
    ------
    OptionError
        ``name`` is not a safe folder name, a tile set of that name exists (and not
        ``overwrite``), ``datum`` is not wgs84/gcj02, or the tiles are vector (pbf).
    UnreadableInputError
        The file is missing, not SQLite, not MBTiles, or holds a tile that is out of range
        or not in the declared image format.
    InputTooLargeError
        More than ``max_tiles`` tiles or ``max_bytes`` bytes, or one tile over 4 MB.
    """
    if not NAME_PATTERN.fullmatch(name):
        raise OptionError(
            f"unsafe tile-set name {name!r}: use 1–64 letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    if normalize_datum(datum) not in ("wgs84", "gcj02"):
        raise OptionError(f"tile datum must be wgs84 or gcj02, not {datum!r}")
    target = tiles_root() / name
    if target.exists() and not overwrite:
        raise OptionError(f"a tile set named {name!r} already exists at {target}; pass overwrite=True")
    with contextlib.closing(_open_mbtiles(mbtiles)) as db:
        meta = _mbtiles_metadata(db, mbtiles)
        ext = _check_contents(db, mbtiles, meta, max_tiles, max_bytes)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.parent / f".{name}.partial-{uuid.uuid4().hex}"
        try:
            _write_tiles(db, mbtiles, partial, ext)
            info = {"format": ext, "name": meta.get("name", name), "attribution": meta.get("attribution", "")}
            (partial / METADATA_FILE).write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
            (partial / DATUM_FILE).write_text(normalize_datum(datum) + "\n", encoding="utf-8")
            _swap_into_place(partial, target)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return target


def _open_mbtiles(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise UnreadableInputError(f"MBTiles file not found: {path}")
    with path.open("rb") as handle:
        if handle.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise UnreadableInputError(f"{path.name} is not an SQLite database, so it is not an MBTiles file")
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _mbtiles_metadata(db: sqlite3.Connection, path: Path) -> dict[str, str]:
    try:
        db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 0")
    except sqlite3.DatabaseError as exc:
        raise UnreadableInputError(
            f"{path.name} is SQLite but not MBTiles: no tiles(zoom_level, tile_column, tile_row, "
            f"tile_data) table ({exc})"
        ) from exc
    try:
        return {str(k): str(v) for k, v in db.execute("SELECT name, value FROM metadata")}
    except sqlite3.DatabaseError:
        return {}  # metadata is recommended, not required; the format is then sniffed


def _check_contents(
    db: sqlite3.Connection, path: Path, meta: dict[str, str], max_tiles: int, max_bytes: int
) -> str:
    count, total, low, high, biggest = db.execute(
        "SELECT count(*), coalesce(sum(length(tile_data)), 0), min(zoom_level), max(zoom_level), "
        "coalesce(max(length(tile_data)), 0) FROM tiles"
    ).fetchone()
    if count == 0:
        raise UnreadableInputError(f"{path.name} holds no tiles")
    if count > max_tiles or total > max_bytes:
        raise InputTooLargeError(
            f"{path.name} holds {count:,} tiles ({total / 1024**2:,.0f} MB); the limit is "
            f"{max_tiles:,} tiles and {max_bytes / 1024**2:,.0f} MB — cut it to the zooms and area you need"
        )
    if biggest > MAX_TILE_BYTES:
        raise InputTooLargeError(f"{path.name} has a {biggest / 1024**2:,.1f} MB tile; the limit is 4 MB")
    if not (isinstance(low, int) and isinstance(high, int) and low >= 0 and high <= MAX_ZOOM):
        raise UnreadableInputError(f"{path.name} has zoom levels {low}–{high}; web maps use 0–{MAX_ZOOM}")
    declared = meta.get("format", "").strip().lower()
    if declared in ("pbf", "mvt"):
        raise OptionError(f"{path.name} holds vector tiles ({declared}); only raster tiles can be drawn")
    if declared and declared not in _FORMATS:
        raise UnreadableInputError(f"{path.name} declares tile format {declared!r}; expected png or jpg")
    if declared:
        return _FORMATS[declared]
    first = db.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()[0]
    return _format_of(bytes(first or b"")) or "png"


def _format_of(data: bytes) -> str:
    return next((fmt for fmt, magics in _MAGIC.items() if data.startswith(magics)), "")


def _write_tiles(db: sqlite3.Connection, path: Path, folder: Path, ext: str) -> None:
    rows = db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
    for z, x, row, data in rows:
        if not all(isinstance(v, int) for v in (z, x, row)) or not (0 <= x < 2**z and 0 <= row < 2**z):
            raise UnreadableInputError(
                f"{path.name}: tile z={z} column={x} row={row} is outside the zoom grid"
            )
        blob = bytes(data or b"")
        if _format_of(blob) != ext:
            raise UnreadableInputError(f"{path.name}: tile z={z} column={x} row={row} is not a {ext} image")
        tile = folder / str(z) / str(x) / f"{2**z - 1 - row}.{ext}"
        tile.parent.mkdir(parents=True, exist_ok=True)
        tile.write_bytes(blob)


def _swap_into_place(partial: Path, target: Path) -> None:
    """Rename ``partial`` to ``target``; an existing ``target`` is moved aside first, then removed."""
    old = target.parent / f".{target.name}.old-{uuid.uuid4().hex}"
    had_old = target.exists()
    if had_old:
        target.rename(old)
    try:
        partial.rename(target)
    except OSError:
        if had_old:
            old.rename(target)
        raise
    if had_old:
        shutil.rmtree(old, ignore_errors=True)
