"""Read one vector upload — Shapefile, GeoPackage, GeoJSON, KML/KMZ, or a .zip of one — into a ReadResult."""

from __future__ import annotations

import codecs
import dataclasses
import tempfile
import warnings
import xml.parsers.expat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely.errors

from zgc_geo.errors import InputTooLargeError, OptionError, UnreadableInputError, ZgcGeoError
from zgc_geo.i18n import Sentence
from zgc_geo.importing.archives import safe_extract
from zgc_geo.importing.encoding import (
    EncodingChoice,
    dbf_declared_encoding,
    detect_text_encoding,
    normalise_encoding,
)
from zgc_geo.importing.limits import MIB, ImportLimits
from zgc_geo.importing.report import PageText, Problem, Severity, UnreadableOnPageError
from zgc_geo.importing.source import ReadResult

_BY_SUFFIX: Final = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".shp": "Shapefile"}
_BY_SUFFIX.update({".zip": "ZIP", ".kml": "KML", ".kmz": "KMZ"})
#: Read out of a .zip: the dataset formats plus shapefile sidecars.
_ZIP_DATASETS: Final = frozenset({".shp", ".geojson", ".json", ".gpkg", ".kml"})
_ZIP_READ: Final = _ZIP_DATASETS | {".dbf", ".shx", ".prj", ".cpg"}
#: Index, metadata and style files that travel with shapefiles / GeoPackages: expected, never data.
_ZIP_QUIET: Final = frozenset(
    {".sbn", ".sbx", ".qix", ".fix", ".xml", ".qpj", ".qmd", ".qml", ".sld", ".lyr"}
)
#: Icons, overlays and models that KMZ files carry next to doc.kml.
_KMZ_QUIET: Final = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".dae", ".tif", ".tiff"})

KML_CRS_BASIS: Final = "KML is always WGS84 (OGC KML 2.2)"
#: Presentation columns LIBKML adds to every layer, with their "not set" value; dropped when unused.
_LIBKML_EXTRAS: Final = {"tessellate": -1, "extrude": 0, "visibility": -1} | dict.fromkeys(
    ("id", "timestamp", "begin", "end", "altitudeMode", "drawOrder", "icon", "snippet")
)
#: Code pages as .cpg files spell them in numbers (ArcGIS); names (QGIS) go to the codec registry.
_CPG_NUMBERS: Final = {"65001": "utf-8", "936": "gb18030", "54936": "gb18030", "950": "big5"}
#: DBF text sampled for encoding detection: enough to meet Chinese text, small enough to be instant.
_DBF_SAMPLE_BYTES: Final = 4 * MIB


def read_vector(
    path: Path, *, layer: str | None = None, encoding: str | None = None, limits: ImportLimits | None = None
) -> ReadResult:
    """Read the features of one vector file as they are, and say how they were read.

    The format comes from the suffix and is confirmed from the leading bytes: a file
    renamed ``.geojson`` is refused rather than handed to whichever GDAL driver claims
    it. ``layer`` picks a GeoPackage / KML layer, or one dataset of a .zip holding
    several; ``encoding`` overrides detection for Shapefile and GeoJSON text.

    Raises
    ------
    UnreadableInputError
        The file is missing, empty, corrupt, hostile, of another format, or undecodable.
    InputTooLargeError
        The file or its feature count is over ``limits``.
    OptionError
        ``layer`` or ``encoding`` is not a valid choice (the message lists the valid ones).
    """
    job = _Job(Path(path), Path(path).name, limits or ImportLimits.from_env())
    codec = normalise_encoding(encoding) if encoding else None
    try:
        kind = _detect_format(job.path, job.limits)
        if kind in ("ZIP", "KMZ"):
            return _read_archive(job, kind, layer, codec)
        if kind == "Shapefile":
            return _read_shapefile(job, codec)
        if kind == "GeoPackage":
            return _read_geopackage(job, layer)
        return _read_kml(job, layer) if kind == "KML" else _read_geojson(job, codec)
    except OSError as exc:  # our own reads (sniffing, DBF header, XML check); GDAL's are handled below
        raise UnreadableInputError(f"{job.source} could not be read: {exc.strerror or exc}") from None


@dataclass
class _Job:
    """One file being read: the name messages use for it, its limits, and the problems so far."""

    path: Path
    source: str
    limits: ImportLimits
    problems: list[Problem] = field(default_factory=list)

    def note(
        self,
        severity: Severity,
        code: str,
        message: str,
        hint: str = "",
        value: str | None = None,
        *,
        text: Sentence | None = None,
        page_hint: Sentence | None = None,
    ) -> None:
        """Record a problem of this file; ``text``/``page_hint`` are what the Data page shows."""
        problem = Problem(severity, code, f"{self.source}: {message}", hint, value=value)
        self.problems.append(replace(problem, text=text, page_hint=page_hint))

    def result(
        self,
        frame: gpd.GeoDataFrame,
        fmt: str,
        crs_basis: str,
        text: EncodingChoice,
        *,
        layer: str | None = None,
        layers: tuple[str, ...] = (),
    ) -> ReadResult:
        """The ReadResult for this file; an empty frame is an error the report must show."""
        if frame.empty:
            self.note(
                "error",
                "empty_file",
                "the file contains no features",
                "check the file and the layer",
                text=Sentence("import.problem.empty_file"),
                page_hint=Sentence("import.page_hint.empty_file"),
            )
        return ReadResult(
            frame=frame,
            source_name=self.source,
            format=fmt,
            layer=layer,
            layers=layers,
            encoding=text.encoding,
            encoding_basis=text.basis,
            crs_basis=crs_basis,
            problems=self.problems,
        )


def _detect_format(path: Path, limits: ImportLimits) -> str:
    _check_size(path, limits)
    with path.open("rb") as fh:
        head = fh.read(512)
    if not head:
        raise UnreadableInputError(f"{path.name} is empty (0 bytes); upload the file again")
    found = _sniff(head)
    expected = _BY_SUFFIX.get(path.suffix.lower())
    if expected == "KMZ" and found == "ZIP":
        return "KMZ"
    if expected is None and found is not None:
        return found
    if expected is None or found != expected:
        what = f"does not look like {expected}" if expected else "is not a supported vector format"
        seems = f" (it looks like {found})" if found else ""
        raise UnreadableInputError(
            f"{path.name} {what}{seems}: it starts with {head[:16]!r}; check that it was not renamed "
            f"from another format — supported: {', '.join(sorted(_BY_SUFFIX))}"
        )
    return expected


def _sniff(head: bytes) -> str | None:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "ZIP"
    if head.startswith(b"SQLite format 3\x00"):
        return "GeoPackage"
    if head.startswith(b"\x00\x00\x27\x0a"):  # shapefile main-file code 9994, big-endian
        return "Shapefile"
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"{"):
        return "GeoJSON"
    if text.startswith(b"<") or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "KML"
    return None


def _check_size(path: Path, limits: ImportLimits) -> None:
    if not path.is_file():
        raise UnreadableInputError(f"{path}: no such file")
    limits.check_file_size(path.name, path.stat().st_size)


# --- Shapefile ------------------------------------------------------------------------------------


def _read_shapefile(job: _Job, codec: str | None) -> ReadResult:
    parts = {suffix: _sidecar(job.path, suffix) for suffix in (".dbf", ".shx", ".prj", ".cpg")}
    for suffix in (".dbf", ".shx"):
        part = parts[suffix]
        if part is None:
            raise UnreadableInputError(
                f"{job.source}: the shapefile's {suffix} file ({job.path.stem}{suffix}) is missing; a "
                "shapefile needs its .shp, .shx and .dbf side by side — upload all parts, or a .zip of them"
            )
        _check_size(part, job.limits)
    dbf = parts[".dbf"]
    assert dbf is not None  # checked just above; narrows the type for mypy
    text = _shapefile_encoding(job, dbf, parts[".cpg"], codec)
    frame = _read_layer(job, {"ESRI Shapefile"}, codec=text.encoding)
    if parts[".prj"] is None:
        crs_basis = "no .prj file"
    elif frame.crs is None:
        crs_basis = "the .prj file could not be understood"
        job.note(
            "warning",
            "prj_unreadable",
            crs_basis,
            "choose the CRS by hand",
            text=Sentence("import.problem.prj_unreadable"),
            page_hint=Sentence("import.page_hint.choose_crs"),
        )
    else:
        crs_basis = "from the .prj file"
    return job.result(frame, "Shapefile", crs_basis, text)


def _sidecar(shp: Path, suffix: str) -> Path | None:
    # The same two spellings GDAL tries, so we never accept a part GDAL would then miss.
    for candidate in (shp.with_suffix(suffix), shp.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def _shapefile_encoding(job: _Job, dbf: Path, cpg: Path | None, given: str | None) -> EncodingChoice:
    """The given encoding, else the .cpg, else the DBF language driver, else the bytes themselves.

    A declaration the bytes contradict (a .cpg saying UTF-8 over GBK text is common) is
    reported and overruled: following it would only garble every name.
    """
    if given:
        return _chosen(job, EncodingChoice(given, "given with --encoding"), guessed=False)
    header, names, records = _dbf_sample(dbf)
    sample = b" ".join(names) + b" " + records
    declared = _cpg_choice(job, cpg) if cpg else None
    if declared is None and (ldid := dbf_declared_encoding(header)):
        declared = EncodingChoice(ldid.encoding, f"no .cpg file; {ldid.basis}")
    prefix = "no .cpg file" if cpg is None else "the .cpg file is unusable"
    if declared and not _fits(sample, declared.encoding):
        job.note(
            "warning",
            "encoding_declared_wrong",
            f"{declared.basis}, but the text is not valid {declared.encoding}",
            "the declaration was overruled by detection; fix or delete it",
            text=Sentence("import.problem.encoding_declared_wrong", {"encoding": declared.encoding}),
            page_hint=Sentence("import.page_hint.encoding_declared_wrong"),
        )
        prefix, declared = f"{declared.basis}, contradicted by the bytes", None
    if declared:
        return _chosen(job, declared, guessed=False)
    detected = detect_text_encoding(sample)
    cut = [repr(name.decode("utf-8", errors="ignore") + "…") for name in names if _cut_utf8(name)]
    if detected is None and cut and _fits(records, "utf-8"):
        raise UnreadableInputError(
            f"{dbf.name}: the text is UTF-8, but the field name(s) {', '.join(cut)} end in half a "
            "character: a tool cut long Chinese field names to the 10 bytes a shapefile allows (3 Chinese "
            "characters in UTF-8); rename those fields, or save the layer as GeoPackage or as a GBK "
            "shapefile, and import again"
        )
    if detected is None:
        raise UnreadableOnPageError(
            f"{dbf.name}: the attribute text is undecodable as UTF-8 or GBK/GB18030; "
            "pass --encoding with the file's real encoding (e.g. --encoding BIG5)",
            PageText(
                Sentence("import.failure.undecodable"),
                Sentence("import.page_hint.undecodable"),
                fix="encoding",
            ),
        )
    # Pure ASCII reads the same in every encoding, so nothing was really guessed.
    choice = EncodingChoice(detected.encoding, f"{prefix}; {detected.basis}")
    return _chosen(job, choice, guessed=detected.basis != "plain ASCII")


def _chosen(job: _Job, choice: EncodingChoice, *, guessed: bool) -> EncodingChoice:
    job.note(
        "info",
        "encoding_chosen",
        f"text decoded as {choice.encoding}: {choice.basis}",
        value=choice.encoding,
        text=Sentence("import.problem.encoding_chosen", {"encoding": choice.encoding}),
    )
    if guessed:
        job.note(
            "warning",
            "encoding_guessed",
            f"the text encoding was guessed ({choice.encoding})",
            "add a .cpg file or pass --encoding if the names look wrong",
            text=Sentence("import.problem.encoding_guessed", {"encoding": choice.encoding}),
            page_hint=Sentence("import.page_hint.encoding_guessed"),
        )
    return choice


def _cpg_choice(job: _Job, cpg: Path) -> EncodingChoice | None:
    with cpg.open("rb") as fh:
        text = fh.read(64).decode("ascii", errors="replace").strip()
    name = text.upper().removeprefix("ANSI").strip()
    if name.isdigit():
        name = _CPG_NUMBERS.get(name) or (f"iso8859-{name[4:]}" if name.startswith("8859") else f"cp{name}")
    try:
        return EncodingChoice(normalise_encoding(name), f".cpg file says {text!r}")
    except OptionError:
        job.note(
            "warning",
            "cpg_unknown",
            f"the .cpg names an unknown encoding {text!r}",
            "fix the .cpg file",
            text=Sentence("import.problem.cpg_unknown", {"value": text}),
            page_hint=Sentence("import.page_hint.cpg_unknown"),
        )
        return None


def _fits(sample: bytes, codec: str) -> bool:
    try:
        sample.decode(codec)
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 3  # a character cut at the sample's end is no evidence
    return True


def _cut_utf8(name: bytes) -> bool:
    """True for a field name that is UTF-8 up to a last character cut in half (GDAL/QGIS do that)."""
    try:
        name.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > 0 and exc.reason == "unexpected end of data"
    return False


def _dbf_sample(dbf: Path) -> tuple[bytes, list[bytes], bytes]:
    """The DBF header and a sample of its text: the field names, and character-field bytes.

    Only character (C) fields are sampled: binary field types would fail the UTF-8
    test for no reason. Records come from the start and the end, in case Chinese
    text only appears late in the file.
    """
    with dbf.open("rb") as fh:
        header = fh.read(32)
        n_records = int.from_bytes(header[4:8], "little")
        header_len = int.from_bytes(header[8:10], "little")
        record_len = int.from_bytes(header[10:12], "little")
        if len(header) < 32 or header_len < 33 or record_len < 1:
            raise UnreadableInputError(
                f"{dbf.name} is not a DBF file or its header is damaged; upload it again"
            )
        names, spans = _dbf_text_fields(fh.read(header_len - 32))
        per_part = max(1, _DBF_SAMPLE_BYTES // 2 // record_len)
        fh.seek(header_len)
        sample = _text_columns(fh.read(per_part * record_len), record_len, spans)
        if n_records > 2 * per_part:
            fh.seek(header_len + (n_records - per_part) * record_len)
            sample += _text_columns(fh.read(per_part * record_len), record_len, spans)
    return header, names, sample


def _dbf_text_fields(descriptors: bytes) -> tuple[list[bytes], list[tuple[int, int]]]:
    names: list[bytes] = []
    spans: list[tuple[int, int]] = []
    offset = 1  # byte 0 of each record is the deletion flag
    for start in range(0, len(descriptors) - 31, 32):  # one 32-byte descriptor per field
        entry = descriptors[start : start + 32]
        if entry[0] == 0x0D:
            break
        kind = entry[11:12]
        # As shapelib reads it: N/F widths are one byte, other types use byte 17 as the high byte.
        width = entry[16] if kind in (b"N", b"F") else entry[16] + 256 * entry[17]
        names.append(entry[:11].split(b"\x00", 1)[0])
        if kind == b"C":
            spans.append((offset, width))
        offset += width
    return names, spans


def _text_columns(block: bytes, record_len: int, spans: list[tuple[int, int]]) -> bytes:
    rows = len(block) // record_len
    if rows == 0 or not spans:
        return b""
    records = np.frombuffer(block, dtype=np.uint8, count=rows * record_len).reshape(rows, record_len)
    return np.concatenate([records[:, start : start + width] for start, width in spans], axis=1).tobytes()


# --- GeoPackage, GeoJSON, KML ----------------------------------------------------------------------


def _read_geopackage(job: _Job, layer: str | None) -> ReadResult:
    with _gdal_boundary(job):
        listed = pyogrio.list_layers(job.path)
    names = [str(name) for name, geometry in listed if geometry is not None]
    if not names:
        tables = ", ".join(str(name) for name, _ in listed) or "none"
        raise UnreadableInputError(f"{job.source} has no layer with geometry (tables: {tables})")
    chosen = _choose_layer(job, names, layer)
    frame = _read_layer(job, {"GPKG"}, layer=chosen)
    basis = "from the GeoPackage layer" if frame.crs else "the GeoPackage layer declares no CRS"
    text = EncodingChoice("utf-8", "GeoPackage text is always UTF-8")
    return job.result(frame, "GeoPackage", basis, text, layer=chosen, layers=tuple(names))


def _read_geojson(job: _Job, codec: str | None) -> ReadResult:
    # The prefix pins GDAL's GeoJSON driver: no other JSON-family driver gets to interpret the file.
    frame = _read_layer(job, {"GeoJSON"}, codec=codec, prefix="GeoJSON:")
    if frame.crs is None:
        basis = 'the file\'s "crs" member could not be understood'
    elif frame.crs.equals("EPSG:4326"):
        basis = 'RFC 7946: GeoJSON without a "crs" member is WGS84'
    else:
        basis = f'the file\'s legacy "crs" member ({frame.crs.to_string()})'
    text = EncodingChoice("utf-8", "RFC 7946: GeoJSON text is UTF-8")
    text = EncodingChoice(codec, "given with --encoding") if codec else text
    return job.result(frame, "GeoJSON", basis, text)


def _read_kml(job: _Job, layer: str | None) -> ReadResult:
    _check_kml_xml(job)
    with _libkml_keeps_field_names():
        with _gdal_boundary(job):
            names = [str(name) for name in pyogrio.list_layers(job.path)[:, 0]]
        chosen = _choose_layer(job, names, layer) if names else None
        frame = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
        if chosen is not None:
            frame = _tidy_kml(_read_layer(job, {"LIBKML", "KML"}, layer=chosen))
    text = EncodingChoice("utf-8", "KML is XML; its declaration gives the encoding")
    frame = frame if frame.crs else frame.set_crs("EPSG:4326")
    return job.result(frame, "KML", KML_CRS_BASIS, text, layer=chosen, layers=tuple(names))


def _check_kml_xml(job: _Job) -> None:
    """Refuse DTDs and network links, and prove the XML well-formed, before GDAL sees the file.

    Expat expands internal entities, so a ten-line DOCTYPE can make gigabytes
    ("billion laughs"). Entities can only be declared in a DTD and KML never needs
    one, so the DOCTYPE itself is refused. The parse streams; no tree is built.
    """
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    elements = 0

    def refuse_dtd(*_args: object) -> None:
        raise UnreadableInputError(
            f"{job.source} declares a DOCTYPE/ENTITY (line {parser.CurrentLineNumber}); KML never needs one "
            "and entity expansion can exhaust memory, so the file was refused — export it again"
        )

    def on_start(name: str, _attrs: object) -> None:
        nonlocal elements
        local, elements = name.rsplit(" ", 1)[-1], elements + 1
        if elements == 1 and local != "kml":
            raise UnreadableInputError(f"{job.source} is XML but not KML: its root element is <{local}>")
        if local == "NetworkLink":
            raise UnreadableInputError(
                f"{job.source} contains a <NetworkLink> (line {parser.CurrentLineNumber}); linked files are "
                "not fetched — open it in Google Earth / 奥维地图 and export the data itself as KML"
            )

    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = on_start
    try:
        with job.path.open("rb") as fh:
            parser.ParseFile(fh)
    except xml.parsers.expat.ExpatError as exc:
        reason = xml.parsers.expat.errors.messages[exc.code]
        raise UnreadableInputError(
            f"{job.source} is not well-formed XML ({reason} at line {exc.lineno}, column {exc.offset}); "
            "the file is damaged or truncated — export it again"
        ) from None
    except ZgcGeoError:
        raise
    except ValueError as exc:  # pyexpat (and GDAL) refuse multi-byte encodings such as GBK outright
        raise UnreadableInputError(
            f"{job.source} declares a text encoding that cannot be read ({exc}); save it as UTF-8 and "
            "upload it again"
        ) from None


@contextmanager
def _libkml_keeps_field_names() -> Iterator[None]:
    # LIBKML turns each non-ASCII byte of an ExtendedData name into "_" unless told not to,
    # which would make both 用途 and 权属 "______".
    previous = pyogrio.get_gdal_config_option("LIBKML_LAUNDER_FIELD_NAMES")
    pyogrio.set_gdal_config_options({"LIBKML_LAUNDER_FIELD_NAMES": "NO"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"LIBKML_LAUNDER_FIELD_NAMES": previous})


def _tidy_kml(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same ``Name`` / ``Description`` columns from either GDAL KML driver, minus unused styling."""
    frame = frame.rename(columns={"description": "Description"})
    unused = [
        column
        for column, unset in _LIBKML_EXTRAS.items()
        if column in frame.columns and (frame[column].isna() | frame[column].eq(unset)).all()
    ]
    return frame.drop(columns=unused)


# --- Archives and the GDAL boundary ---------------------------------------------------------------


def _read_archive(job: _Job, kind: str, layer: str | None, codec: str | None) -> ReadResult:
    with tempfile.TemporaryDirectory(prefix="zgc-import-") as tmp:
        if kind == "KMZ":
            unpacked = safe_extract(
                job.path, Path(tmp), job.limits, frozenset({".kml"}), ignored_suffixes=_KMZ_QUIET
            )
            if not unpacked.files:
                raise UnreadableInputError(f"{job.source} contains no .kml document; it is not a usable KMZ")
            # The KMZ rule: doc.kml if present, else the first .kml in the archive is the document.
            doc = next((f for f in unpacked.files if f.name.lower() == "doc.kml"), unpacked.files[0])
            _check_size(doc, job.limits)
            inner = _read_kml(_Job(doc, job.source, job.limits, list(unpacked.problems)), layer)
            return dataclasses.replace(inner, format="KMZ")
        unpacked = safe_extract(job.path, Path(tmp), job.limits, _ZIP_READ, ignored_suffixes=_ZIP_QUIET)
        datasets = {unpacked.member_name(f): f for f in unpacked.files if f.suffix.lower() in _ZIP_DATASETS}
        if not datasets:
            held = ", ".join(unpacked.member_name(f) for f in unpacked.files) or "nothing readable"
            raise UnreadableInputError(
                f"{job.source} contains no Shapefile, GeoJSON, GeoPackage or KML ({held})"
            )
        chosen, inner_layer = _choose_dataset(job, datasets, layer)
        inner = read_vector(datasets[chosen], layer=inner_layer, encoding=codec, limits=job.limits)
        return dataclasses.replace(
            inner,
            source_name=f"{job.source}/{chosen}",
            format=f"{inner.format} in ZIP",
            layers=tuple(Path(m).stem for m in datasets) if len(datasets) > 1 else inner.layers,
            problems=unpacked.problems + inner.problems,
        )


def _choose_dataset(job: _Job, datasets: dict[str, Path], layer: str | None) -> tuple[str, str | None]:
    """The one dataset in a .zip to read, and the layer to read inside it."""
    if len(datasets) == 1:
        return next(iter(datasets)), layer
    members = list(datasets)
    if layer is None:
        names = tuple(Path(m).stem for m in members)
        text = Sentence("import.failure.many_datasets", {"count": len(members), "names": ", ".join(members)})
        raise UnreadableOnPageError(
            f"{job.source} holds {len(members)} datasets ({', '.join(members)}); upload one per .zip, "
            f"or choose one with --layer (e.g. --layer {Path(members[0]).stem})",
            PageText(text, Sentence("import.page_hint.many_datasets"), fix="layer", choices=names),
        )
    matches = [m for m in members if layer in (m, Path(m).stem)]
    if len(matches) != 1:
        valid = ", ".join(Path(m).stem for m in members)
        raise OptionError(f"{job.source} has no single dataset named {layer!r}; valid: {valid}")
    return matches[0], None


def _choose_layer(job: _Job, names: list[str], layer: str | None) -> str:
    if layer is not None:
        if layer not in names:
            raise OptionError(f"{job.source} has no layer {layer!r}; valid layers: {', '.join(names)}")
        return layer
    if len(names) > 1:
        job.note(
            "info",
            "layer_chosen",
            f"{len(names)} layers; the first, {names[0]!r}, was read",
            f"choose another with --layer: {', '.join(names)}",
            value=names[0],
            text=Sentence("import.problem.layer_chosen", {"count": len(names), "layer": names[0]}),
            page_hint=Sentence("import.page_hint.layer_chosen", {"names": ", ".join(names)}),
        )
    return names[0]


def _read_layer(
    job: _Job, drivers: set[str], *, layer: str | None = None, codec: str | None = None, prefix: str = ""
) -> gpd.GeoDataFrame:
    # Absolute, so that a relative name starting with "{" cannot pass for inline GeoJSON after the prefix.
    target, cap = prefix + str(job.path.absolute()), job.limits.max_features
    with _gdal_boundary(job):
        info = pyogrio.read_info(target, layer=layer, encoding=codec)
        if info["driver"] not in drivers:
            raise UnreadableInputError(f"{job.source} was recognised as {info['driver']} data and refused")
        count = info["features"]
        if count <= cap:
            frame = (
                _read_through_arrow(target, layer, codec, cap + 1)
                if _arrow_reads_alike(info, codec)
                else None
            )
            if frame is None:
                frame = pyogrio.read_dataframe(target, layer=layer, encoding=codec, max_features=cap + 1)
            else:
                frame = _as_without_arrow(frame, info)
            count = len(frame)
    if count > cap:
        raise InputTooLargeError(
            f"{job.source} has more than {cap:,} features (the limit); split it, or raise "
            "ZGC_GEO_IMPORT_MAX_FEATURES if it is genuine"
        )
    if not isinstance(frame, gpd.GeoDataFrame):
        raise UnreadableInputError(f"{job.source}: layer {layer or job.path.stem!r} has no geometry column")
    return frame


#: Field types whose columns pyogrio builds alike through Arrow and without it (all-empty texts aside, see
#: :func:`_as_without_arrow`). Booleans, dates, lists, JSON and 16/32-bit subtypes come out otherwise
#: (a boolean with gaps is float 1.0/NaN without Arrow, True/None with it) and take the plain read.
_ARROW_ALIKE_TYPES: Final = frozenset({"OFTString", "OFTReal", "OFTInteger", "OFTInteger64"})
_ARROW_DRIVERS: Final = frozenset({"GPKG", "GeoJSON", "ESRI Shapefile"})


def _arrow_reads_alike(info: dict, codec: str | None) -> bool:
    """Whether reading through Arrow gives the frame the plain read gives, only sooner (0.1 s per 100k plots).

    KML is left to the plain read (its drivers add presentation columns of their own), and so is text
    that is not UTF-8 (a GBK shapefile, or one of unknown encoding): Arrow refuses to decode it.
    """
    return (
        info["driver"] in _ARROW_DRIVERS
        and info["features"] > 0
        and (codec is not None or info["driver"] != "ESRI Shapefile")
        and (codec is None or codecs.lookup(codec).name == "utf-8")
        and set(info["ogr_types"]) <= _ARROW_ALIKE_TYPES
        and set(info["ogr_subtypes"]) <= {"OFSTNone"}
    )


def _read_through_arrow(
    target: str, layer: str | None, codec: str | None, max_features: int
) -> gpd.GeoDataFrame | None:
    """The layer read through Arrow, or None where the plain read may tell another story.

    GDAL's complaints reach Arrow readers differently: a geometry the plain read refuses with an error
    comes back as a missing one, text that is not UTF-8 is kept undecoded, and warnings may differ. So
    anything but a clean read (an error, a warning, a missing geometry, invalid text) is read again the
    plain way, and the user gets the plain read's message.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pyogrio.read_dataframe(
                target, layer=layer, encoding=codec, max_features=max_features, use_arrow=True
            )
        except Exception:  # whatever it is, the plain read reports it the usual way
            return None
    if caught or not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().any():
        return None
    try:
        for name in frame.columns[frame.dtypes.map(lambda dtype: isinstance(dtype, pd.StringDtype))]:
            pa.array(frame[name].array).validate(full=True)  # checks every value is UTF-8
    except (pa.ArrowException, TypeError, ValueError):
        return None
    return frame


def _as_without_arrow(frame: gpd.GeoDataFrame, info: dict) -> gpd.GeoDataFrame:
    """``frame`` as the plain read gives it: a text field without a single value is a column of None."""
    empty = [
        str(name)
        for name, kind in zip(info["fields"], info["ogr_types"], strict=True)
        if kind == "OFTString" and name in frame.columns and frame[name].isna().all()
    ]
    if not empty:
        return frame
    frame = frame.copy()
    for name in empty:
        frame[name] = np.full(len(frame), None, dtype=object)
    return frame


@contextmanager
def _gdal_boundary(job: _Job) -> Iterator[None]:
    """Turn whatever GDAL / pyogrio raise into UnreadableInputError, and their warnings into problems."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except ZgcGeoError:
            raise
        except UnicodeDecodeError as exc:
            bad = exc.object[exc.start : exc.start + 4]
            raise UnreadableOnPageError(
                f"{job.source}: text is not valid {exc.encoding} (bytes {bad!r}); "
                "pass --encoding with the file's real encoding (e.g. --encoding GBK)",
                PageText(
                    Sentence("import.failure.not_in_encoding", {"encoding": exc.encoding}),
                    Sentence("import.page_hint.undecodable"),
                    fix="encoding",
                ),
            ) from None
        except (RuntimeError, ValueError, OSError, shapely.errors.ShapelyError) as exc:
            # GDAL quotes the full (often temporary) path; the user knows the file by its name.
            message = str(exc)
            for folder in {str(job.path.parent), str(job.path.absolute().parent)}:
                message = message.replace(folder + "/", "")
            raise UnreadableInputError(f"{job.source} could not be read: {message}") from exc
    for warning in caught:
        detail = str(warning.message)
        job.note(
            "warning",
            "reader_warning",
            detail,
            text=Sentence("import.problem.reader_warning", {"detail": detail}),
        )
