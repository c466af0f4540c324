"""Unpack uploaded .zip / .kmz archives without trusting anything the archive says about itself."""

from __future__ import annotations

import lzma
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Final

from zgc_geo.errors import UnreadableInputError, UnsafeArchiveError, ZgcGeoError
from zgc_geo.i18n import Sentence
from zgc_geo.importing.encoding import CHINESE_LEGACY
from zgc_geo.importing.limits import MIB, ImportLimits, format_mib
from zgc_geo.importing.report import Problem

#: Zip general-purpose flag bits (APPNOTE 4.4.4): 0 = encrypted, 11 = name is UTF-8.
_FLAG_ENCRYPTED: Final = 0x1
_FLAG_UTF8: Final = 0x800

#: Below this size a high compression ratio cannot hurt (the total unpacked size is capped
#: anyway) and is normal: a DBF of blank-padded text fields compresses several hundred times.
RATIO_MIN_BYTES: Final = 1 * MIB

#: Archives inside archives are refused outright: each level would need its own budget,
#: and recursive bombs (42.zip) are built exactly that way.
ARCHIVE_SUFFIXES: Final = frozenset(
    {".zip", ".kmz", ".7z", ".rar", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".zst", ".cab", ".jar"}
)
#: Leading bytes of archive formats, so a nested archive is caught even when renamed (doc.kml).
_ARCHIVE_MAGIC: Final = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1f\x8b",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"(\xb5/\xfd",
)
#: Operating-system clutter that zipping on macOS / Windows adds; never data, never worth a warning.
_JUNK_NAMES: Final = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
_JUNK_DIRS: Final = frozenset({"__macosx"})

_DRIVE: Final = re.compile(r"^[A-Za-z]:")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_CHUNK: Final = 1 * MIB


@dataclass(frozen=True)
class ExtractedArchive:
    """What :func:`safe_extract` unpacked, and what it left out on purpose.

    ``files`` are in archive order (the KMZ rule "the first .kml is the document"
    depends on it); ``problems`` holds one ``archive_member_skipped`` warning per
    member with an unexpected suffix, for the caller to put in its report.
    """

    root: Path
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def member_name(self, path: Path) -> str:
        """The archive member name an extracted file came from (``folder/地块.shp``)."""
        return path.relative_to(self.root).as_posix()


def member_name(info: zipfile.ZipInfo) -> str:
    """The real name of a zip member, including GBK names written by Chinese Windows.

    Zips made without the UTF-8 flag (bit 11) store names in the creator's code page;
    Python then decodes them as cp437, which turns ``地块.shp`` into mojibake. cp437 is
    a byte-for-byte bijection, so re-encoding recovers the raw bytes, which are tried
    as UTF-8 (many tools forget the flag) and then as GB18030.
    """
    if info.flag_bits & _FLAG_UTF8:
        return info.orig_filename
    raw = info.orig_filename.encode("cp437")
    for codec in ("utf-8", CHINESE_LEGACY):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    # Neither: keep Python's reading, which is at least stable and harmless as a path.
    return info.orig_filename


def safe_extract(
    archive: Path,
    dest: Path,
    limits: ImportLimits,
    allowed_suffixes: frozenset[str],
    *,
    ignored_suffixes: frozenset[str] = frozenset(),
) -> ExtractedArchive:
    """Unpack the members of ``archive`` whose suffix is in ``allowed_suffixes`` into ``dest``.

    Every member is vetted before a single byte is written, and the archive is refused
    as a whole if any member is hostile: an absolute, drive-letter, backslash or ``..``
    name, a link or device, an encrypted member, a nested archive, more members than
    ``limits.max_archive_members``, more declared bytes than ``limits.max_unpacked_bytes``
    or a compression ratio above ``limits.max_compression_ratio``. Declared sizes can
    lie, so the copy itself is metered too and aborts as soon as a budget is exceeded
    (leaving partial files behind: ``dest`` should be a temporary folder).

    Members with other suffixes are skipped with a warning, ``ignored_suffixes`` (e.g.
    KMZ icons, shapefile index files) and OS clutter silently.

    Raises
    ------
    UnsafeArchiveError
        The archive breaks a safety rule; the message names the member.
    UnreadableInputError
        The file is not a zip archive, or is corrupt.
    """
    allowed = frozenset(s.lower() for s in allowed_suffixes)
    ignored = frozenset(s.lower() for s in ignored_suffixes)
    try:
        size = archive.stat().st_size
        limits.check_file_size(archive.name, size)
        with zipfile.ZipFile(archive) as zf:
            plan = _vet(archive.name, zf.infolist(), limits)
            result = ExtractedArchive(root=dest)
            dest.mkdir(parents=True, exist_ok=True)
            for info, name in plan:
                suffix = PurePosixPath(name).suffix.lower()
                if suffix in ignored:
                    continue
                if suffix not in allowed:
                    result.skipped.append(name)
                    result.problems.append(_skipped_problem(archive.name, name, suffix, allowed))
                    continue
                result.files.append(_extract_member(archive.name, zf, info, name, dest, limits=limits))
    except ZgcGeoError:
        raise
    except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, RuntimeError, ValueError) as exc:
        raise UnreadableInputError(
            f"{archive.name} is not a readable ZIP archive or is damaged ({exc}); check that the upload "
            "finished and that the file is really a .zip / .kmz"
        ) from None
    except OSError as exc:
        raise UnreadableInputError(f"{archive.name} could not be unpacked: {exc.strerror or exc}") from None
    return result


def vet_archive(
    archive: Path,
    limits: ImportLimits,
    *,
    kind: str = "ZIP archive",
    hint: str = "check that the upload finished",
) -> None:
    """Apply the archive safety rules to a zip-based file that another library will open.

    XLSX workbooks are zip archives: openpyxl would inflate a bomb member without a
    second thought, so the same member-count, unpacked-size, ratio and name rules run
    first. Nothing is extracted.
    """
    limits.check_file_size(archive.name, archive.stat().st_size)
    try:
        with zipfile.ZipFile(archive) as zf:
            _vet(archive.name, zf.infolist(), limits)
    except ZgcGeoError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableInputError(f"{archive.name}: is not a readable {kind} ({exc}); {hint}") from None


def _vet(
    archive: str, infos: list[zipfile.ZipInfo], limits: ImportLimits
) -> list[tuple[zipfile.ZipInfo, str]]:
    """Check every member against the safety rules; return the (info, name) pairs worth extracting."""
    if len(infos) > limits.max_archive_members:
        raise UnsafeArchiveError(
            f"{archive} has {len(infos):,} members; the limit is {limits.max_archive_members:,} "
            "(upload only the files of the dataset)"
        )
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_unpacked_bytes:
        raise UnsafeArchiveError(
            f"{archive} would unpack to {format_mib(declared)}; the limit is "
            f"{limits.max_unpacked_mib:g} MiB (raise ZGC_GEO_IMPORT_MAX_UNPACKED_MIB if it is genuine)"
        )
    plan: list[tuple[zipfile.ZipInfo, str]] = []
    seen: set[str] = set()
    for info in infos:  # one pass per member, not per feature: archives are small lists
        name = member_name(info)
        _check_name(archive, name)
        if info.is_dir() or _is_junk(PurePosixPath(name).parts):
            continue  # never written, so nothing else about it matters
        _check_member(archive, name, info, limits)
        if name in seen:
            raise UnsafeArchiveError(f"{archive}: member {name!r} occurs twice; the archive is refused")
        seen.add(name)
        plan.append((info, name))
    packed = sum(info.compress_size for info in infos)
    if declared >= RATIO_MIN_BYTES and declared / max(packed, 1) > limits.max_compression_ratio:
        # Many members each just under RATIO_MIN_BYTES would pass the per-member check one by one.
        raise UnsafeArchiveError(
            f"{archive} declares {format_mib(declared)} unpacked from {format_mib(packed)} in {len(infos):,} "
            f"members, a compression ratio of {declared / max(packed, 1):,.0f}:1 overall; the limit is "
            f"{limits.max_compression_ratio:g}:1, so the archive is refused as a possible zip bomb"
        )
    return plan


def _check_name(archive: str, name: str) -> None:
    reason = None
    if not name or _CONTROL.search(name):
        reason = "an empty name or control characters"
    elif name.startswith("/"):
        reason = "an absolute path"
    elif "\\" in name:
        reason = "a backslash (a Windows path trick)"
    elif _DRIVE.match(name) or ":" in name:
        reason = "a drive letter or colon"
    elif ".." in PurePosixPath(name).parts:
        reason = "'..' (it would be written outside the target folder)"
    if reason:
        raise UnsafeArchiveError(
            f"{archive}: member {name!r} has {reason}; the archive is refused — re-zip only the data files"
        )


def _check_member(archive: str, name: str, info: zipfile.ZipInfo, limits: ImportLimits) -> None:
    # The upper 16 bits of external_attr are the Unix st_mode when the creator was Unix.
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        what = "a symbolic link" if stat.S_ISLNK(mode) else "a device or other special file"
        raise UnsafeArchiveError(f"{archive}: member {name!r} is {what}; the archive is refused")
    if info.flag_bits & _FLAG_ENCRYPTED:
        raise UnsafeArchiveError(
            f"{archive}: member {name!r} is encrypted; password-protected archives are not supported — "
            "unpack it and zip the files again without a password"
        )
    if PurePosixPath(name).suffix.lower() in ARCHIVE_SUFFIXES:
        raise UnsafeArchiveError(
            f"{archive}: member {name!r} is itself an archive; nested archives are refused — "
            "unpack it and upload its contents"
        )
    if info.file_size >= RATIO_MIN_BYTES:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_compression_ratio:
            raise UnsafeArchiveError(
                f"{archive}: member {name!r} declares a compression ratio of {ratio:,.0f}:1 "
                f"({info.file_size:,} bytes from {info.compress_size:,}); the limit is "
                f"{limits.max_compression_ratio:g}:1, so the archive is refused as a possible zip bomb"
            )


def _is_junk(parts: tuple[str, ...]) -> bool:
    lowered = [p.lower() for p in parts]
    return (
        any(p in _JUNK_DIRS for p in lowered[:-1])
        or lowered[-1] in _JUNK_NAMES
        or lowered[-1].startswith("._")
    )


def _extract_member(
    archive: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, dest: Path, *, limits: ImportLimits
) -> Path:
    target = dest.joinpath(*PurePosixPath(name).parts)
    # Defence in depth: _check_name already refused every way out of dest we know of.
    if not target.resolve().is_relative_to(dest.resolve()):
        raise UnsafeArchiveError(f"{archive}: member {name!r} would be written outside the target folder")
    budget = info.file_size
    if info.file_size >= RATIO_MIN_BYTES:
        budget = min(budget, int(max(info.compress_size, 1) * limits.max_compression_ratio))
    target.parent.mkdir(parents=True, exist_ok=True)
    with zf.open(info) as source, target.open("xb") as sink:
        _copy_metered(archive, name, source, sink, budget)
    return target


def _copy_metered(archive: str, name: str, source: IO[bytes], sink: IO[bytes], budget: int) -> int:
    """Copy ``source`` to ``sink``, aborting once more than ``budget`` bytes arrive.

    The budget is the declared size (already checked against the limits): data beyond
    it means the header lied, which is how zip bombs slip past declared-size checks.
    """
    written = 0
    while chunk := source.read(_CHUNK):
        if written == 0 and chunk.startswith(_ARCHIVE_MAGIC):
            raise UnsafeArchiveError(
                f"{archive}: member {name!r} is an archive in disguise; nested archives are refused"
            )
        written += len(chunk)
        if written > budget:
            raise UnsafeArchiveError(
                f"{archive}: member {name!r} unpacks to more than the {budget:,} bytes it declares; "
                "the archive is refused as a possible zip bomb"
            )
        sink.write(chunk)
    return written


def _skipped_problem(archive: str, name: str, suffix: str, allowed: frozenset[str]) -> Problem:
    return Problem(
        "warning",
        "archive_member_skipped",
        f"{archive}: member {name!r} was skipped: files ending in {suffix or '(nothing)'} are not read",
        f"only {', '.join(sorted(allowed))} are read from an archive; remove other files if this one matters",
        value=name,
        text=Sentence("import.problem.archive_member_skipped", {"member": name, "suffix": suffix or "-"}),
        page_hint=Sentence(
            "import.page_hint.archive_member_skipped", {"allowed": ", ".join(sorted(allowed))}
        ),
    )
