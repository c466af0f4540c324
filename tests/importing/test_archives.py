"""Hostile archives are refused whole, with the offending member named; honest ones unpack."""

from __future__ import annotations

import io
import random
import struct
import zipfile
from pathlib import Path

import pytest

from zgc_geo.errors import InputTooLargeError, UnreadableInputError, UnsafeArchiveError
from zgc_geo.importing import archives
from zgc_geo.importing.archives import member_name, safe_extract
from zgc_geo.importing.limits import MIB, ImportLimits

SHAPE_PARTS = frozenset({".shp", ".shx", ".dbf", ".prj", ".cpg"})
LIMITS = ImportLimits()


class GbkZipInfo(zipfile.ZipInfo):
    """Writes its name as GBK bytes with the UTF-8 flag cleared, as zips from Chinese Windows do."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802 (zipfile's own name)
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def make_zip(path: Path, members: dict[str, bytes] | list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    items = members.items() if isinstance(members, dict) else members
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items:
            zf.writestr(name, data)
    return path


def extract(archive: Path, limits: ImportLimits = LIMITS) -> archives.ExtractedArchive:
    return safe_extract(archive, archive.parent / "out", limits, SHAPE_PARTS)


def test_data_members_are_extracted_and_others_reported(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "plots.zip",
        {
            "plots/a.shp": b"shp",
            "plots/a.dbf": b"dbf",
            "plots/readme.exe": b"MZ",
            "plots/index.html": b"<html>",
            "__MACOSX/plots/._a.shp": b"junk",
            "plots/.DS_Store": b"junk",
        },
    )
    result = extract(archive)
    assert [result.member_name(f) for f in result.files] == ["plots/a.shp", "plots/a.dbf"]
    assert (tmp_path / "out" / "plots" / "a.dbf").read_bytes() == b"dbf"
    assert result.skipped == ["plots/readme.exe", "plots/index.html"]
    assert [p.code for p in result.problems] == ["archive_member_skipped"] * 2
    assert "'plots/readme.exe' was skipped: files ending in .exe are not read" in result.problems[0].message
    assert result.problems[0].severity == "warning"
    assert not (tmp_path / "out" / "__MACOSX").exists()
    assert not (tmp_path / "out" / "plots" / ".DS_Store").exists()


def test_ignored_suffixes_are_skipped_silently(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.kmz", {"doc.kml": b"<kml/>", "files/icon.png": b"png"})
    result = safe_extract(
        archive, tmp_path / "out", LIMITS, frozenset({".kml"}), ignored_suffixes=frozenset({".png"})
    )
    assert [f.name for f in result.files] == ["doc.kml"]
    assert result.problems == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.txt", r"'\.\.' \(it would be written outside the target folder\)"),
        ("plots/../../evil.txt", r"'\.\.'"),
        ("/etc/evil.shp", "an absolute path"),
        ("..\\evil.shp", r"a backslash \(a Windows path trick\)"),
        ("C:/Windows/evil.shp", "a drive letter or colon"),
        ("evil.shp\x01", "control characters"),
    ],
)
def test_escaping_names_refuse_the_whole_archive(tmp_path: Path, name: str, reason: str) -> None:
    archive = make_zip(tmp_path / "evil.zip", [("a.shp", b"ok"), (zipfile.ZipInfo(name), b"evil")])
    with pytest.raises(
        UnsafeArchiveError, match=f"evil.zip: member .* has .*{reason}.*; the archive is refused"
    ):
        extract(archive)
    assert not (tmp_path / "evil.txt").exists()
    assert not (tmp_path / "out" / "a.shp").exists(), "nothing may be written before every member is vetted"


def test_symlink_member_is_refused(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("plots.shp")
    link.create_system = 3
    link.external_attr = 0o120777 << 16
    archive = make_zip(tmp_path / "link.zip", [(link, b"/etc/passwd")])
    with pytest.raises(
        UnsafeArchiveError, match=r"member 'plots.shp' is a symbolic link; the archive is refused"
    ):
        extract(archive)


def test_encrypted_member_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "secret.zip", {"plots.dbf": b"xx"})
    data = bytearray(archive.read_bytes())
    # zipfile will not write the flag itself; set bit 0 in the local and central headers.
    data[data.find(b"PK\x03\x04") + 6] |= 0x1
    data[data.find(b"PK\x01\x02") + 8] |= 0x1
    archive.write_bytes(bytes(data))
    with pytest.raises(UnsafeArchiveError, match=r"'plots.dbf' is encrypted; password-protected archives"):
        extract(archive)


def test_too_many_members_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "many.zip", {f"f{i}.prj": b"x" for i in range(4)})
    with pytest.raises(UnsafeArchiveError, match=r"many.zip has 4 members; the limit is 3"):
        extract(archive, ImportLimits(max_archive_members=3))


def test_declared_total_over_the_unpacked_limit_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "big.zip", {"a.dbf": b"x" * 3000})
    with pytest.raises(
        UnsafeArchiveError, match=r"big.zip would unpack to 3,000 bytes; the limit is 0.001 MiB"
    ):
        extract(archive, ImportLimits(max_unpacked_mib=0.001))


def test_high_compression_ratio_is_refused_as_a_bomb(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "bomb.zip", {"a.dbf": bytes(2 * MIB)})  # ~2 kB on disk
    with pytest.raises(
        UnsafeArchiveError, match=r"'a.dbf' declares a compression ratio of [\d,]+:1 .* zip bomb"
    ):
        extract(archive)


def test_many_members_each_under_the_ratio_floor_are_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    # Each member is just under RATIO_MIN_BYTES, so no single one trips the per-member check; together
    # they are 60 MiB of zeros from a few hundred kB.
    members = {f"part{i:03d}.dbf": bytes(MIB - 1) for i in range(60)}
    archive = make_zip(tmp_path / "many.zip", members)
    dest = tmp_path / "out"
    with pytest.raises(UnsafeArchiveError, match=r"60 members, a compression ratio of [\d,]+:1 overall"):
        safe_extract(archive, dest, ImportLimits(), frozenset({".dbf"}))
    assert not dest.exists() or not any(dest.rglob("*"))


def test_small_highly_compressible_member_is_fine(tmp_path: Path) -> None:
    # A DBF of blank-padded text fields compresses hundreds of times and is perfectly normal.
    archive = make_zip(tmp_path / "blank.zip", {"a.dbf": b" " * 200_000})
    assert extract(archive).files[0].stat().st_size == 200_000


def test_lying_declared_size_is_caught(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "liar.zip", {"a.dbf": bytes(2 * MIB)})
    data = bytearray(archive.read_bytes())
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, 100)  # uncompressed size in the local header
    struct.pack_into("<I", data, central + 24, 100)  # ... and in the central directory
    archive.write_bytes(bytes(data))
    with pytest.raises(UnreadableInputError, match=r"liar.zip is not a readable ZIP archive or is damaged"):
        extract(archive)
    assert (tmp_path / "out" / "a.dbf").stat().st_size <= 100


def test_metered_copy_stops_at_the_budget() -> None:
    # zipfile itself truncates at the declared size; the meter is the guard if that ever changes.
    with pytest.raises(UnsafeArchiveError, match=r"'a.dbf' unpacks to more than the 1,000 bytes it declares"):
        archives._copy_metered("x.zip", "a.dbf", io.BytesIO(bytes(5000)), io.BytesIO(), 1000)


def test_nested_archive_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "outer.zip", {"inner.zip": b"PK\x03\x04"})
    with pytest.raises(
        UnsafeArchiveError, match=r"'inner.zip' is itself an archive; nested archives are refused"
    ):
        extract(archive)


def test_nested_archive_in_disguise_is_refused(tmp_path: Path) -> None:
    inner = make_zip(tmp_path / "inner.zip", {"a.shp": b"x"}).read_bytes()
    archive = make_zip(tmp_path / "outer.zip", {"a.shp": inner})
    with pytest.raises(UnsafeArchiveError, match=r"'a.shp' is an archive in disguise"):
        extract(archive)


def test_gbk_member_names_are_decoded(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "gbk.zip", [(GbkZipInfo("海淀/地块.shp"), b"shp"), ("a.prj", b"prj")])
    with zipfile.ZipFile(archive) as zf:
        info = zf.infolist()[0]
        assert not info.flag_bits & 0x800
        assert info.filename != "海淀/地块.shp"  # what Python alone makes of it (cp437 mojibake)
        assert member_name(info) == "海淀/地块.shp"
    result = extract(archive)
    assert (tmp_path / "out" / "海淀" / "地块.shp").read_bytes() == b"shp"
    assert result.member_name(result.files[0]) == "海淀/地块.shp"


def test_utf8_names_without_the_flag_are_decoded(tmp_path: Path) -> None:
    class Utf8NoFlag(zipfile.ZipInfo):
        def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802
            return self.filename.encode("utf-8"), self.flag_bits & ~0x800

    archive = make_zip(tmp_path / "mac.zip", [(Utf8NoFlag("地块.dbf"), b"dbf")])
    assert [f.name for f in extract(archive).files] == ["地块.dbf"]


def test_duplicate_member_is_refused(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        archive = make_zip(tmp_path / "dup.zip", [("a.shp", b"1"), ("a.shp", b"2")])
    with pytest.raises(UnsafeArchiveError, match=r"member 'a.shp' occurs twice"):
        extract(archive)


@pytest.mark.parametrize("content", [b"this is not a zip", b""])
def test_non_zip_is_unreadable(tmp_path: Path, content: bytes) -> None:
    archive = tmp_path / "fake.zip"
    archive.write_bytes(content)
    with pytest.raises(
        UnreadableInputError, match=r"fake.zip is not a readable ZIP archive or is damaged .*really a .zip"
    ):
        extract(archive)


def test_truncated_zip_is_unreadable(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "cut.zip", {"a.shp": b"x" * 1000})
    archive.write_bytes(archive.read_bytes()[:-30])
    with pytest.raises(UnreadableInputError, match=r"cut.zip is not a readable ZIP archive"):
        extract(archive)


def test_archive_over_the_file_limit_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "big.zip", {"a.shp": random.Random(0).randbytes(5000)})
    with pytest.raises(InputTooLargeError, match=r"big.zip is [0-9,]+ bytes; the limit is 0.001 MiB"):
        extract(archive, ImportLimits(max_file_mib=0.001))
