"""Maps load Leaflet only from our own static folder, and exported HTML needs no network."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import branca.colormap
import folium
import folium.plugins
import pytest
import streamlit_folium
from branca.element import JavascriptLink

from zgc_geo.errors import AssetsMissingError, ZgcGeoError
from zgc_geo.mapping import web_assets
from zgc_geo.mapping.map_controls import add_measure_control
from zgc_geo.mapping.web_assets import (
    REQUIRED_ASSETS,
    STATIC_DIR_ENV,
    check_web_assets,
    inline_assets_html,
    static_dir,
    use_local_assets,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
LEAFLET_URL_PREFIX = "/app/static/node_modules/leaflet/dist/"
TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# Addresses inside leaflet.js that are never fetched: the SVG namespace and the
# attribution control's "Leaflet" hyperlink.
NEVER_FETCHED = ("http://www.w3.org/", "https://leafletjs.com")


class _ResourceCollector(HTMLParser):
    """Collect the URLs an HTML document makes the browser load (not script text)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in {"script", "img", "iframe"} and attributes.get("src"):
            self.urls.append(attributes["src"] or "")
        if tag == "link" and attributes.get("href"):
            self.urls.append(attributes["href"] or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def _collect(html: str) -> _ResourceCollector:
    collector = _ResourceCollector()
    collector.feed(html)
    collector.close()
    return collector


def _is_remote(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url.strip(), re.IGNORECASE))


def _square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {
        "type": "Feature",
        "properties": {"name": f"park {lon:.2f}"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _sample_map(tiles: str | None = None) -> folium.Map:
    """A map with the element kinds the overview map uses."""
    m = folium.Map(location=[39.98, 116.31], zoom_start=11, tiles=tiles)
    parks = {
        "type": "FeatureCollection",
        "features": [_square(116.30, 39.95), _square(116.33, 40.0)],
    }
    folium.GeoJson(
        parks,
        name="Parks",
        style_function=lambda _feature: {"className": "zgc-park", "color": "#c0392b"},
        tooltip=folium.GeoJsonTooltip(fields=["name"]),
    ).add_to(m)
    folium.CircleMarker(
        [39.98, 116.31], radius=5, class_name="zgc-feature-park", popup="中关村软件园"
    ).add_to(m)
    folium.Marker([39.99, 116.32], icon=folium.DivIcon(html='<div class="zgc-label">海淀园</div>')).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def _captured_component_args(m: folium.Map, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run the real ``st_folium`` with its frontend call captured: exactly what the iframe gets."""
    captured: dict[str, Any] = {}

    def fake_component(**kwargs: Any) -> dict[str, Any]:
        captured.update(kwargs)
        return kwargs["default"]

    monkeypatch.setattr(streamlit_folium, "_component_func", fake_component)
    streamlit_folium.st_folium(m, key="map", returned_objects=[])
    return captured


def test_rendered_map_loads_only_local_leaflet() -> None:
    m = use_local_assets(_sample_map())
    urls = _collect(m.get_root().render()).urls

    assert sorted(urls) == [
        f"{LEAFLET_URL_PREFIX}leaflet.css",
        f"{LEAFLET_URL_PREFIX}leaflet.js",
    ]
    for url in urls:
        assert (static_dir() / url.removeprefix("/app/static/")).is_file(), url


def test_streamlit_folium_collects_only_local_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    m = use_local_assets(_sample_map())
    args = _captured_component_args(m, monkeypatch)

    assert args["js_links"] == [f"{LEAFLET_URL_PREFIX}leaflet.js"]
    assert args["css_links"] == [f"{LEAFLET_URL_PREFIX}leaflet.css"]
    for part in ("header", "html"):
        remote = [url for url in _collect(args[part]).urls if _is_remote(url)]
        assert remote == [], f"{part} loads {remote}"
    assert not re.search(r"https?://", args["script"]), args["script"]
    assert "zgc-park" in args["script"]


def test_folium_class_defaults_are_untouched() -> None:
    use_local_assets(_sample_map())
    # Only the instance changes; folium's shared class-level lists stay as shipped.
    assert any(_is_remote(url) for _, url in folium.Map.default_js)


def test_base_url_path_prefixes_static_urls() -> None:
    m = use_local_assets(_sample_map(), base_url_path="/zgc/")
    urls = _collect(m.get_root().render()).urls
    assert urls and all(url.startswith("/zgc/app/static/node_modules/leaflet/") for url in urls)


def test_links_from_an_earlier_render_are_dropped() -> None:
    m = _sample_map()
    m.get_root().render()  # puts folium's CDN links into the page header
    use_local_assets(m)
    use_local_assets(m)  # idempotent

    urls = _collect(m.get_root().render()).urls
    assert [url for url in urls if _is_remote(url)] == []


@pytest.mark.parametrize(
    ("add", "named"),
    [
        (lambda m: folium.Marker([39.98, 116.31], icon=folium.Icon(color="red")).add_to(m), "Icon"),
        (lambda m: branca.colormap.LinearColormap(["white", "red"]).add_to(m), "LinearColormap"),
        (lambda m: folium.plugins.MarkerCluster().add_to(m), "MarkerCluster"),
        (lambda m: m.add_child(JavascriptLink("https://example.com/x.js")), "JavascriptLink"),
        (
            lambda m: m.get_root().header.add_child(JavascriptLink("https://example.com/y.js")),
            "JavascriptLink",
        ),
    ],
    ids=["awesome-icon", "colormap", "plugin", "link-in-map", "link-in-header"],
)
def test_elements_needing_a_cdn_are_refused(add: Any, named: str) -> None:
    m = _sample_map()
    add(m)
    with pytest.raises(AssetsMissingError, match=named):
        use_local_assets(m)


def test_missing_assets_name_the_file_and_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STATIC_DIR_ENV, str(tmp_path))
    assert static_dir() == tmp_path.resolve()

    with pytest.raises(AssetsMissingError) as caught:
        check_web_assets()
    message = str(caught.value)
    assert "leaflet.js" in message
    assert "npm ci --prefix static" in message
    assert isinstance(caught.value, ZgcGeoError)
    assert isinstance(caught.value, FileNotFoundError)

    with pytest.raises(AssetsMissingError, match="npm ci --prefix static"):
        use_local_assets(_sample_map())
    with pytest.raises(AssetsMissingError, match="npm ci --prefix static"):
        inline_assets_html(_sample_map())


def test_only_the_missing_files_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for rel in REQUIRED_ASSETS:
        if rel.endswith((".js", ".css")):
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / rel).write_text("/* stub */", encoding="utf-8")
    monkeypatch.setenv(STATIC_DIR_ENV, str(tmp_path))

    with pytest.raises(AssetsMissingError) as caught:
        check_web_assets()
    message = str(caught.value)
    assert "layers.png" in message
    assert "leaflet.js" not in message


def test_default_static_dir_is_next_to_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STATIC_DIR_ENV, raising=False)
    assert static_dir() == REPO_ROOT / "static"
    assert web_assets.repo_root() == REPO_ROOT


def test_inlined_html_needs_no_network() -> None:
    m = _sample_map()
    folium.TileLayer(TILE_URL, name="OSM", attr="OpenStreetMap", show=False).add_to(m)
    html = inline_assets_html(m)
    found = _collect(html)

    assert found.urls == [], "the export must not load any file"
    styles = "\n".join(found.styles)
    assert ".leaflet-control-layers-toggle" in styles
    css_urls = re.findall(r"""url\(\s*['"]?([^'")]+)""", styles)
    assert css_urls and all(u.startswith(("data:", "#")) for u in css_urls), css_urls
    assert "@import" not in styles
    assert "/app/static" not in html
    assert "sourceMappingURL" not in html
    assert "L.Icon.Default.mergeOptions" in html

    for address in re.findall(r"""(?:https?:)?//[^\s"'<>()\\]+""", html):
        if not address.startswith(("http://", "https://")):
            continue  # protocol-relative matches here are JS comments or regexes
        allowed = address.startswith(NEVER_FETCHED) or address == TILE_URL
        assert allowed, f"unexpected external reference {address}"


def test_npm_setup_pins_leaflet_and_stays_on_the_registry() -> None:
    package = json.loads((REPO_ROOT / "static" / "package.json").read_text(encoding="utf-8"))
    assert package["private"] is True
    # Exact versions: the distance tool is a Leaflet plugin that must match the Leaflet it runs on.
    assert package["dependencies"] == {"leaflet": "1.9.4", "leaflet.polylinemeasure": "3.0.0"}
    lock = json.loads((REPO_ROOT / "static" / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/leaflet"]["version"] == "1.9.4"
    assert lock["packages"]["node_modules/leaflet.polylinemeasure"]["version"] == "3.0.0"
    for entry in lock["packages"].values():
        resolved = entry.get("resolved", "https://registry.npmjs.org/")
        assert resolved.startswith("https://registry.npmjs.org/"), resolved
    ignored = (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "static/node_modules/" in ignored


def test_the_distance_tool_is_served_locally_and_inlined_in_exports() -> None:
    m = _sample_map()
    add_measure_control(m, "en")
    use_local_assets(m, base_url_path="/zgc/")
    served = m.get_root().render()
    assert (
        '<script src="/zgc/app/static/node_modules/leaflet.polylinemeasure/Leaflet.PolylineMeasure.js">'
        in served
    )
    assert "/zgc/app/static/node_modules/leaflet.polylinemeasure/Leaflet.PolylineMeasure.css" in served

    m = _sample_map()
    add_measure_control(m, "zh")
    html = inline_assets_html(m)
    found = _collect(html)
    assert found.urls == [], "the export must not load any file"
    assert "L.Control.PolylineMeasure" in html and "polyline-measure-tooltip" in "\n".join(found.styles)
    assert "测量距离" in html  # the tool speaks the map's language


def test_a_map_without_the_tool_does_not_load_it() -> None:
    m = use_local_assets(_sample_map())
    assert "polylinemeasure" not in m.get_root().render().lower()
