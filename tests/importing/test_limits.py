"""Upload caps protect a server; a file named on one's own command line is not an upload (#14)."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import pytest

from zgc_geo.cli import main
from zgc_geo.cli.importing import local_file_options
from zgc_geo.errors import InputTooLargeError
from zgc_geo.importing.limits import MIB, ImportLimits

GIB = 1024 * MIB


def test_an_upload_over_the_cap_is_refused_before_reading() -> None:
    with pytest.raises(InputTooLargeError, match="the limit is 200 MiB"):
        ImportLimits.from_env({}).check_file_size("big.gpkg", 258 * MIB)


def test_a_local_file_has_no_size_cap_but_keeps_the_archive_guards() -> None:
    local, upload = ImportLimits.from_env({}, local=True), ImportLimits.from_env({})
    assert local.max_file_mib == math.inf
    local.check_file_size("inventory_1M.gpkg", 50 * GIB)  # no error
    assert (local.max_unpacked_mib, local.max_compression_ratio, local.max_archive_members) == (
        upload.max_unpacked_mib,
        upload.max_compression_ratio,
        upload.max_archive_members,
    )
    assert local.max_features == upload.max_features


def test_the_environment_can_still_cap_a_local_file() -> None:
    capped = ImportLimits.from_env({"ZGC_GEO_IMPORT_MAX_FILE_MIB": "100"}, local=True)
    with pytest.raises(InputTooLargeError):
        capped.check_file_size("big.gpkg", 101 * MIB)


def test_every_command_reads_its_files_as_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZGC_GEO_IMPORT_MAX_FILE_MIB", raising=False)
    assert local_file_options("plots").limits.max_file_mib == math.inf


def test_a_zip_bomb_named_on_the_command_line_is_still_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("plots.geojson", b" " * (64 * MIB))  # ~1000:1, far over the ratio guard
    assert main(["validate", str(bomb)]) == 2
    assert "ratio" in capsys.readouterr().err.lower()


def test_the_overlap_list_length_is_configurable() -> None:
    assert ImportLimits.from_env({}).max_overlap_rows == 1000
    assert ImportLimits.from_env({"ZGC_GEO_IMPORT_MAX_OVERLAP_ROWS": "5"}).max_overlap_rows == 5
