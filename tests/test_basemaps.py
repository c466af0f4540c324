"""Basemaps: every choice builds, online URLs only when chosen, Tianditu's key, local tiles, MBTiles."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import folium
import pytest

from zgc_geo.errors import InputTooLargeError, OptionError, UnreadableInputError
from zgc_geo.mapping.basemaps import (
    BASEMAPS,
    NO_BASEMAP,
    add_basemap,
    available_basemaps,
    basemap_datum,
    get_basemap,
    tiles_from_mbtiles,
)
from zgc_geo.mapping.overview_map import build_overview_map
from zgc_geo.mapping.web_assets import STATIC_DIR_ENV
from zgc_geo.plan_data import PlanData
from zgc_geo.settings import TIANDITU_KEY_ENV, tianditu_key

REPO = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n"
HOSTS = {
    "osm": "tile.openstreetmap.org",
    "carto_light": "basemaps.cartocdn.com",
    "amap": "is.autonavi.com",
    "tianditu": "tianditu.gov.cn",
}
#: A made-up key, built at run time so no key-shaped literal sits in the repository.
FAKE_KEY = "f" * 32


@pytest.fixture
def static(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty static folder made the app's, and no Tianditu key."""
    root = tmp_path / "static"
    root.mkdir()
    monkeypatch.setenv(STATIC_DIR_ENV, str(root))
    monkeypatch.delenv(TIANDITU_KEY_ENV, raising=False)
    return root


def _tile_set(static: Path, name: str, datum: str | None = None) -> Path:
    folder = static / "tiles" / name
    tile = folder / "12" / "3371" / "1552.png"
    tile.parent.mkdir(parents=True)
    tile.write_bytes(PNG + b"tile")
    if datum:
        (folder / "datum.txt").write_text(datum, encoding="utf-8")
    return folder


def _html(m: folium.Map) -> str:
    """The rendered page with JSON \\uXXXX escapes decoded, as the browser sees the strings."""
    rendered = m.get_root().render()
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda match: chr(int(match.group(1), 16)), rendered)


def test_every_basemap_builds_and_only_the_chosen_service_is_contacted(
    plan: PlanData, static: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TIANDITU_KEY_ENV, FAKE_KEY)
    _tile_set(static, "campus")
    keys = [b.key for b in available_basemaps() if b.available]
    assert keys == [NO_BASEMAP, "osm", "carto_light", "amap", "tianditu", "local:campus"]
    for key in keys:
        html = _html(build_overview_map(plan, basemap=key))
        for service, host in HOSTS.items():
            assert (host in html) == (service == key), (key, host)
        assert ("/app/static/tiles/campus/" in html) == (key == "local:campus")


def test_tile_urls_and_attribution(static: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    amap = _html(_map_with("amap"))
    assert "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8" in amap
    assert '"subdomains": "1234"' in amap
    assert "© 高德地图 AutoNavi" in amap
    monkeypatch.setenv(TIANDITU_KEY_ENV, FAKE_KEY)
    tianditu = _html(_map_with("tianditu"))
    assert "https://t{s}.tianditu.gov.cn/vec_w/wmts?" in tianditu
    assert "https://t{s}.tianditu.gov.cn/cva_w/wmts?" in tianditu  # the annotation layer on top
    assert tianditu.count(f"tk={FAKE_KEY}") == 2
    assert "{tk}" not in tianditu


def _map_with(key: str, base_url_path: str = "") -> folium.Map:
    m = folium.Map(tiles=None)
    add_basemap(m, key, base_url_path)
    return m


def test_none_adds_no_tiles(static: Path) -> None:
    html = _html(_map_with(NO_BASEMAP))
    assert "L.tileLayer" not in html


def test_datums() -> None:
    assert basemap_datum(NO_BASEMAP) == "wgs84"
    assert {key: basemap_datum(key) for key in BASEMAPS} == {
        "osm": "wgs84",
        "carto_light": "wgs84",
        "amap": "gcj02",
        "tianditu": "wgs84",  # CGCS2000: within a metre of WGS84
    }
    assert next(b.key for b in available_basemaps() if not b.needs_internet) == NO_BASEMAP


def test_tianditu_without_key_is_listed_unavailable_with_the_reason(static: Path) -> None:
    assert tianditu_key() is None
    tianditu = next(b for b in available_basemaps() if b.key == "tianditu")
    assert not tianditu.available
    assert TIANDITU_KEY_ENV in tianditu.reason
    with pytest.raises(OptionError, match=rf"basemap 'tianditu' is unavailable: .*{TIANDITU_KEY_ENV}"):
        _map_with("tianditu")


def test_blank_key_counts_as_no_key(static: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TIANDITU_KEY_ENV, "   ")
    assert tianditu_key() is None
    monkeypatch.setenv(TIANDITU_KEY_ENV, f" {FAKE_KEY} ")
    assert tianditu_key() == FAKE_KEY
    assert get_basemap("tianditu").available


def test_unknown_basemap_lists_the_valid_ones(static: Path) -> None:
    with pytest.raises(OptionError, match=r"unknown basemap 'baidu'; valid: none, osm, carto_light, amap$"):
        _map_with("baidu")
    with pytest.raises(OptionError, match="unknown basemap"):
        basemap_datum("baidu")


def test_no_tianditu_key_is_written_in_the_repository() -> None:
    # Any "tk=" followed by a literal value (rather than the {tk} placeholder) is a leaked key.
    leaked = re.compile(r"tk=(?!\{tk\})[A-Za-z0-9]{8,}")
    skip = {"node_modules", ".git", ".venv", "artifacts", "__pycache__", ".pytest_cache", ".mypy_cache"}
    suffixes = {
        ".py",
        ".md",
        ".toml",
        ".txt",
        ".json",
        ".yml",
        ".yaml",
        ".cfg",
        ".ini",
        ".html",
        ".js",
        ".env",
    }
    hits = [
        str(path.relative_to(REPO))
        for path in REPO.rglob("*")
        if path.is_file()
        and path.suffix in suffixes
        and not skip & set(path.relative_to(REPO).parts)
        and leaked.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert hits == []


# --- local tiles ---------------------------------------------------------------------------


def test_local_tiles_are_discovered_and_served_locally(static: Path) -> None:
    _tile_set(static, "campus")
    _tile_set(static, "amap-offline", datum="gcj02")
    local = {b.key: b for b in available_basemaps() if b.key.startswith("local")}
    assert set(local) == {"local:amap-offline", "local:campus"}
    campus = local["local:campus"]
    assert campus.available and not campus.needs_internet
    assert campus.datum == "wgs84" and campus.max_zoom == 12
    assert campus.url == "/app/static/tiles/campus/{z}/{x}/{y}.png"
    assert basemap_datum("local:amap-offline") == "gcj02"
    html = _html(_map_with("local:campus"))
    assert '"/app/static/tiles/campus/{z}/{x}/{y}.png"' in html
    assert '"maxNativeZoom": 12' in html
    assert "/zgc/app/static/tiles/campus/" in _html(_map_with("local:campus", base_url_path="zgc"))


def test_no_tile_sets_is_an_unavailable_entry_saying_how_to_add_one(static: Path) -> None:
    local = [b for b in available_basemaps() if b.key.startswith("local")]
    assert [b.key for b in local] == ["local"]
    assert not local[0].available
    assert "tiles_from_mbtiles" in local[0].reason


def test_broken_tile_sets_are_unavailable_with_a_reason(static: Path) -> None:
    (static / "tiles" / "empty").mkdir(parents=True)
    _tile_set(static, "baidu", datum="bd09")
    (static / "tiles" / "has space").mkdir()
    (static / "tiles" / ".hidden.partial-1").mkdir()  # an unpack in progress: not listed
    reasons = {b.key: b.reason for b in available_basemaps() if b.key.startswith("local")}
    assert set(reasons) == {"local:baidu", "local:empty", "local:has space"}
    assert "BD-09" in reasons["local:baidu"]
    assert "no {z}/{x}/{y} tiles" in reasons["local:empty"]
    assert "folder name" in reasons["local:has space"]
    with pytest.raises(OptionError, match=r"unavailable: .*no"):
        _map_with("local:empty")


# --- MBTiles -------------------------------------------------------------------------------


def _mbtiles(path: Path, tiles: list[tuple[int, int, int, bytes]], fmt: str | None = "png") -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        if fmt:
            db.execute("INSERT INTO metadata VALUES ('format', ?)", (fmt,))
        db.execute("INSERT INTO metadata VALUES ('attribution', '<b>Survey</b> office')")
        db.execute(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)"
        )
        db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", tiles)
    db.close()
    return path


def test_mbtiles_unpacks_with_the_tms_row_flip(static: Path, tmp_path: Path) -> None:
    source = _mbtiles(
        tmp_path / "campus.mbtiles", [(1, 0, 0, PNG + b"south-west"), (1, 1, 1, PNG + b"north-east")]
    )
    folder = tiles_from_mbtiles(source, "campus")
    assert folder == static / "tiles" / "campus"
    # TMS row 0 is the southern row: XYZ y = 2**1 - 1 - 0 = 1.
    assert (folder / "1" / "0" / "1.png").read_bytes() == PNG + b"south-west"
    assert (folder / "1" / "1" / "0.png").read_bytes() == PNG + b"north-east"
    assert sorted(p.name for p in (static / "tiles").iterdir()) == ["campus"]  # no temporary left
    assert json.loads((folder / "metadata.json").read_text(encoding="utf-8"))["format"] == "png"
    campus = get_basemap("local:campus")
    assert campus.available and campus.max_zoom == 1 and campus.datum == "wgs84"
    assert campus.attribution == "&lt;b&gt;Survey&lt;/b&gt; office"  # file text is escaped


def test_mbtiles_datum_overwrite_and_sniffed_format(static: Path, tmp_path: Path) -> None:
    jpeg = b"\xff\xd8\xff\xe0jpeg"
    source = _mbtiles(tmp_path / "a.mbtiles", [(0, 0, 0, jpeg)], fmt=None)
    tiles_from_mbtiles(source, "city", datum="GCJ-02")
    assert (static / "tiles" / "city" / "0" / "0" / "0.jpg").read_bytes() == jpeg
    assert basemap_datum("local:city") == "gcj02"
    with pytest.raises(OptionError, match="already exists"):
        tiles_from_mbtiles(source, "city")
    second = _mbtiles(tmp_path / "b.mbtiles", [(2, 1, 1, PNG)])
    tiles_from_mbtiles(second, "city", overwrite=True)
    assert not (static / "tiles" / "city" / "0").exists()
    assert (static / "tiles" / "city" / "2" / "1" / "2.png").is_file()
    assert basemap_datum("local:city") == "wgs84"
    assert sorted(p.name for p in (static / "tiles").iterdir()) == ["city"]


@pytest.mark.parametrize("name", ["../evil", "a/b", "", ".hidden", "x" * 65, "空格 name"])
def test_mbtiles_refuses_unsafe_names(static: Path, tmp_path: Path, name: str) -> None:
    source = _mbtiles(tmp_path / "a.mbtiles", [(0, 0, 0, PNG)])
    with pytest.raises(OptionError, match="unsafe tile-set name"):
        tiles_from_mbtiles(source, name)
    assert not (static / "tiles").exists()


def test_mbtiles_errors_are_clear(static: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.mbtiles"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(UnreadableInputError, match="not an SQLite database"):
        tiles_from_mbtiles(text, "x")
    with pytest.raises(UnreadableInputError, match="not found"):
        tiles_from_mbtiles(tmp_path / "missing.mbtiles", "x")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE things (a)")
    db.close()
    with pytest.raises(UnreadableInputError, match="SQLite but not MBTiles"):
        tiles_from_mbtiles(other, "x")
    cases: list[tuple[list[tuple[int, int, int, bytes]], str | None, type[Exception], str]] = [
        ([], "png", UnreadableInputError, "holds no tiles"),
        ([(30, 0, 0, PNG)], "png", UnreadableInputError, "zoom levels 30–30"),
        ([(1, 2, 0, PNG)], "png", UnreadableInputError, "outside the zoom grid"),
        ([(0, 0, 0, b"GIF89a")], "png", UnreadableInputError, "is not a png image"),
        ([(0, 0, 0, b"\x1f\x8b")], "pbf", OptionError, "vector tiles"),
        ([(0, 0, 0, PNG)], "tiff", UnreadableInputError, "declares tile format 'tiff'"),
    ]
    for index, (tiles, fmt, error, message) in enumerate(cases):
        source = _mbtiles(tmp_path / f"case{index}.mbtiles", tiles, fmt)
        with pytest.raises(error, match=message):
            tiles_from_mbtiles(source, f"case{index}")
    root = static / "tiles"
    assert not root.exists() or list(root.iterdir()) == []  # nothing half-written


def test_mbtiles_size_guards(static: Path, tmp_path: Path) -> None:
    source = _mbtiles(tmp_path / "a.mbtiles", [(1, 0, 0, PNG + b"a"), (1, 1, 0, PNG + b"b")])
    with pytest.raises(InputTooLargeError, match="holds 2 tiles"):
        tiles_from_mbtiles(source, "a", max_tiles=1)
    with pytest.raises(InputTooLargeError, match="limit is"):
        tiles_from_mbtiles(source, "a", max_bytes=10)
