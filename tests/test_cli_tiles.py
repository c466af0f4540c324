"""``zgc-geo tiles``: unpack an MBTiles file for intranet basemaps, list the tile sets, clear errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from zgc_geo.cli import main
from zgc_geo.mapping.web_assets import STATIC_DIR_ENV

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def static(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "static"
    root.mkdir()
    monkeypatch.setenv(STATIC_DIR_ENV, str(root))
    return root


def _mbtiles(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute("INSERT INTO metadata VALUES ('format', 'png')")
        db.execute(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)"
        )
        db.execute("INSERT INTO tiles VALUES (0, 0, 0, ?)", (PNG + b"world",))
    db.close()
    return path


def test_unpack_then_list(static: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _mbtiles(tmp_path / "intranet.mbtiles")
    assert main(["tiles", "unpack", str(source), "--name", "intranet"]) == 0
    assert "choose 'local:intranet' as the basemap" in capsys.readouterr().out
    assert (static / "tiles" / "intranet" / "0" / "0" / "0.png").read_bytes() == PNG + b"world"
    assert main(["tiles", "list"]) == 0
    assert "local:intranet  zoom 0–0, .png, wgs84" in capsys.readouterr().out


def test_unpack_errors_exit_2_with_a_message(
    static: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_sqlite = tmp_path / "x.mbtiles"
    not_sqlite.write_bytes(b"hello")
    assert main(["tiles", "unpack", str(not_sqlite), "--name", "x"]) == 2
    assert "x.mbtiles" in capsys.readouterr().err
    source = _mbtiles(tmp_path / "ok.mbtiles")
    assert main(["tiles", "unpack", str(source), "--name", "../escape"]) == 2
    assert "zgc-geo: error:" in capsys.readouterr().err


def test_list_without_tiles_says_how_to_add_them(static: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tiles"]) == 0
    assert "zgc-geo tiles unpack FILE --name NAME" in capsys.readouterr().out
