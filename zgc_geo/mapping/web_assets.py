"""Serve Leaflet from our npm-installed ``static/`` folder, never a CDN; inline it for export."""

from __future__ import annotations

import base64
import mimetypes
import os
import re
from collections.abc import Iterator
from pathlib import Path

import branca.colormap
import folium
import folium.elements
import folium.features
from branca.element import Element, Figure, Link

from zgc_geo.errors import AssetsMissingError

STATIC_DIR_ENV = "ZGC_GEO_STATIC_DIR"
"""Environment variable naming another ``static`` folder to check (tests, packaging)."""

SETUP_COMMAND = "npm ci --prefix static"
"""The set-up command that installs what ``static/package-lock.json`` lists."""

STATIC_URL_PATH = "/app/static"
"""URL path of ``<app dir>/static/`` when ``server.enableStaticServing`` is on."""

LEAFLET_DIST = "node_modules/leaflet/dist"
LEAFLET_JS = f"{LEAFLET_DIST}/leaflet.js"
LEAFLET_CSS = f"{LEAFLET_DIST}/leaflet.css"

#: Leaflet.PolylineMeasure (npm ``leaflet.polylinemeasure``), the maps' distance tool.
MEASURE_DIST = "node_modules/leaflet.polylinemeasure"
MEASURE_JS = f"{MEASURE_DIST}/Leaflet.PolylineMeasure.js"
MEASURE_CSS = f"{MEASURE_DIST}/Leaflet.PolylineMeasure.css"
MEASURE_JS_NAME = "leaflet_polylinemeasure"
MEASURE_CSS_NAME = "leaflet_polylinemeasure_css"

REQUIRED_ASSETS: tuple[str, ...] = (
    LEAFLET_JS,
    LEAFLET_CSS,
    MEASURE_JS,
    MEASURE_CSS,
    # leaflet.css draws the collapsed LayerControl button with these two images;
    # the marker-icon images only serve default markers, which we do not use.
    f"{LEAFLET_DIST}/images/layers.png",
    f"{LEAFLET_DIST}/images/layers-2x.png",
)
"""Files, relative to the static folder, that our maps need to draw correctly."""

# folium's resource names for Leaflet itself, mapped to the file we ship instead.
_LOCAL_JS: dict[str, str] = {"leaflet": LEAFLET_JS, MEASURE_JS_NAME: MEASURE_JS}
_LOCAL_CSS: dict[str, str] = {"leaflet_css": LEAFLET_CSS, MEASURE_CSS_NAME: MEASURE_CSS}

# Elements that only work with CDN assets we deliberately do not ship.
_CDN_ONLY: tuple[tuple[type, str], ...] = (
    (folium.Icon, "Leaflet.awesome-markers, Font Awesome and Bootstrap"),
    (folium.features.VegaLite, "Vega, Vega-Lite and vega-embed"),
    (
        branca.colormap.ColorMap,
        "d3 (streamlit-folium adds it from a CDN for any ColorMap)",
    ),
)

# Leaflet's default-marker images, offered as data URIs in exported HTML.
_DEFAULT_ICON_IMAGES: dict[str, str] = {
    "iconUrl": "marker-icon.png",
    "iconRetinaUrl": "marker-icon-2x.png",
    "shadowUrl": "marker-shadow.png",
}

_REMOTE_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_STATIC_REFERENCE = re.compile(r"""(?:src|href)=["']([^"']*""" + re.escape(STATIC_URL_PATH) + r"""/[^"']*)""")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_SOURCE_MAP_COMMENT = re.compile(r"^\s*/[/*][#@] sourceMappingURL=.*$", re.MULTILINE)


def repo_root() -> Path:
    """Return the repository root, the folder that holds ``app.py`` and ``static/``.

    Returns
    -------
    pathlib.Path
        Two levels above this package, resolved.
    """
    return Path(__file__).resolve().parents[2]


def static_dir() -> Path:
    """Return the folder Streamlit serves as ``/app/static``.

    Streamlit serves ``static/`` next to the main script, so by default this is
    ``<repo root>/static``. ``ZGC_GEO_STATIC_DIR`` overrides it so tests can
    point the check at an empty folder and packagers at an installed copy.

    Returns
    -------
    pathlib.Path
        The static folder; it may not exist.
    """
    override = os.environ.get(STATIC_DIR_ENV)
    if override:
        return Path(override).expanduser().resolve()
    return repo_root() / "static"


def static_url(relative_path: str, base_url_path: str = "") -> str:
    """Return the browser URL path of a file in the static folder.

    The path is absolute (no host), so it resolves against the Streamlit
    server the page came from, including inside streamlit-folium's iframe.

    Parameters
    ----------
    relative_path : str
        File path relative to the static folder, with ``/`` separators.
    base_url_path : str, optional
        Streamlit's ``server.baseUrlPath`` when the app is served under a
        prefix (e.g. behind a reverse proxy); empty for the root.

    Returns
    -------
    str
        For example ``/app/static/node_modules/leaflet/dist/leaflet.js``.
    """
    base = base_url_path.strip("/")
    prefix = f"/{base}{STATIC_URL_PATH}" if base else STATIC_URL_PATH
    return f"{prefix}/{relative_path.lstrip('/')}"


def check_web_assets() -> None:
    """Fail early and clearly when the locally served web assets are not installed.

    Without them the map iframe stays blank with no error on the page, so the
    app checks before drawing a map.

    Raises
    ------
    AssetsMissingError
        Naming every missing file and the command that installs them.
    """
    root = static_dir()
    missing = [rel for rel in REQUIRED_ASSETS if not (root / rel).is_file()]
    if missing:
        names = ", ".join(str(root / rel) for rel in missing)
        raise AssetsMissingError(
            f"Map assets are not installed: missing {names}. "
            f"Run `{SETUP_COMMAND}` in the repository root (or `make run`) to install "
            "Leaflet from the npm registry; the app never loads it from the internet."
        )


def _is_remote(url: str) -> bool:
    """Tell whether a URL would be fetched from another host."""
    return bool(_REMOTE_URL.match(url.strip()))


def _walk(element: Element) -> Iterator[Element]:
    """Yield an element and all its descendants, depth first."""
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _reject_cdn_only(element: Element) -> None:
    """Raise if an element can only work with CDN assets we do not ship."""
    for cls, needs in _CDN_ONLY:
        if isinstance(element, cls):
            raise AssetsMissingError(
                f"{type(element).__name__} needs {needs}, which zgc-geo does not serve locally; "
                "use Leaflet-core elements (GeoJson, CircleMarker, DivIcon, LayerControl) instead."
            )
    if isinstance(element, folium.Map) and getattr(element, "objects_to_stay_in_front", None):
        raise AssetsMissingError(
            "Map(objects_to_stay_in_front=...) / keep_in_front() needs jQuery, which zgc-geo "
            "does not serve locally; order layers by adding them in the desired order instead."
        )
    if isinstance(element, Link) and _is_remote(element.url):
        raise AssetsMissingError(
            f"{type(element).__name__} loads {element.url} from the internet; "
            "serve the file from static/ instead."
        )


def _localise(
    element: folium.elements.JSCSSMixin,
    links: list[tuple[str, str]],
    local: dict[str, str],
    base_url_path: str,
) -> list[tuple[str, str]]:
    """Map an element's ``(name, url)`` resources to local URLs, or raise."""
    result = []
    for name, url in links:
        if name in local:
            result.append((name, static_url(local[name], base_url_path)))
        elif not _is_remote(url):
            result.append((name, url))
        else:
            raise AssetsMissingError(
                f"{type(element).__name__} needs {name!r} from {url}, which zgc-geo does not "
                "serve locally; add it to static/package.json or use a Leaflet-core element."
            )
    return result


def use_local_assets(m: folium.Map, base_url_path: str = "") -> folium.Map:
    """Make a map load Leaflet only from the app's own static folder.

    folium's ``Map`` lists Leaflet, jQuery, Bootstrap, awesome-markers and
    Font Awesome on CDNs, and streamlit-folium turns every element's
    ``default_js`` / ``default_css`` into ``<script>`` / ``<link>`` tags. This
    replaces those lists on the map instance and on every descendant
    ``JSCSSMixin`` so only ``/app/static/...`` URLs remain, and drops stale
    CDN links a previous render left in the page header. Tile layers are
    data, not code, and are left alone.

    Parameters
    ----------
    m : folium.Map
        The map; changed in place.
    base_url_path : str, optional
        Streamlit's ``server.baseUrlPath`` (``st.get_option("server.baseUrlPath")``)
        when the app is served under a URL prefix.

    Returns
    -------
    folium.Map
        The same map, for chaining.

    Raises
    ------
    AssetsMissingError
        If the assets are not installed, or an element needs a CDN asset we do
        not ship (named by its class), rather than loading it from the internet.
    """
    check_web_assets()
    replaced: set[str] = set()
    for element in _walk(m):
        _reject_cdn_only(element)
        if not isinstance(element, folium.elements.JSCSSMixin):
            continue
        replaced.update(name for name, _ in [*element.default_js, *element.default_css])
        if isinstance(element, folium.Map):
            # Drop jQuery/Bootstrap/awesome-markers: our maps use Leaflet core only.
            js = [("leaflet", static_url(LEAFLET_JS, base_url_path))]
            css = [("leaflet_css", static_url(LEAFLET_CSS, base_url_path))]
        else:
            js = _localise(element, list(element.default_js), _LOCAL_JS, base_url_path)
            css = _localise(element, list(element.default_css), _LOCAL_CSS, base_url_path)
        # Instance attributes: folium's class-level lists are shared by every map.
        element.default_js = js
        element.default_css = css

    root = m.get_root()
    if isinstance(root, Figure):
        for name, child in list(root.header._children.items()):
            if isinstance(child, Link) and _is_remote(child.url):
                if name not in replaced:
                    _reject_cdn_only(child)
                del root.header._children[name]
    return m


def _data_uri(path: Path) -> str:
    """Encode a file as a ``data:`` URI so exported HTML needs no other file."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(css_path: Path) -> str:
    """Return a stylesheet with its relative ``url(...)`` images turned into data URIs."""

    def replace(match: re.Match[str]) -> str:
        target = match.group(2).strip()
        if target.startswith(("#", "data:")):
            return match.group(0)
        if _is_remote(target):
            raise AssetsMissingError(f"{css_path.name} references {target} on the internet.")
        file = (css_path.parent / target).resolve()
        if not file.is_file():
            raise AssetsMissingError(f"{file} (used by {css_path.name}) is missing; run `{SETUP_COMMAND}`.")
        return f'url("{_data_uri(file)}")'

    # Comments go: they only carry notes (and web addresses a reader would mistake for loads).
    css = _CSS_COMMENT.sub("", css_path.read_text(encoding="utf-8"))
    return _CSS_URL.sub(replace, css).replace("</style", "<\\/style")


def _inline_js(js_path: Path) -> str:
    """Return a script's text, safe to place inside ``<script>`` and with no source-map fetch."""
    js = _SOURCE_MAP_COMMENT.sub("", js_path.read_text(encoding="utf-8"))
    return js.replace("</script", "<\\/script")


def _default_icon_script(images_dir: Path) -> str:
    """Point Leaflet's default marker at data URIs, since it cannot derive them from inlined CSS."""
    options = {
        option: _data_uri(images_dir / name)
        for option, name in _DEFAULT_ICON_IMAGES.items()
        if (images_dir / name).is_file()
    }
    if not options:
        return ""
    pairs = ", ".join(f'{option}: "{uri}"' for option, uri in options.items())
    return f'<script>L.Icon.Default.imagePath = ""; L.Icon.Default.mergeOptions({{{pairs}}});</script>'


def inline_assets_html(m: folium.Map) -> str:
    """Render a map as one self-contained HTML document that opens from disk offline.

    ``/app/static`` URLs only exist while the Streamlit server runs, so an
    exported file carries Leaflet's script and stylesheet (with its images as
    data URIs) inside itself instead.

    Parameters
    ----------
    m : folium.Map
        The map; :func:`use_local_assets` is applied to it in place.

    Returns
    -------
    str
        The HTML document. A tile layer's URL template is the only internet
        address it can still contain.

    Raises
    ------
    AssetsMissingError
        If the assets are not installed or the map needs assets we do not ship.
    """
    use_local_assets(m)
    root = static_dir()
    html = m.get_root().render()

    script_tag = f'<script src="{static_url(LEAFLET_JS)}"></script>'
    css_tag = f'<link rel="stylesheet" href="{static_url(LEAFLET_CSS)}"/>'
    for tag in (script_tag, css_tag):
        if tag not in html:
            raise AssetsMissingError(f"Could not find {tag} in the rendered map to inline it.")
    inline_script = (
        f"<script>{_inline_js(root / LEAFLET_JS)}</script>"
        f"{_default_icon_script(root / LEAFLET_DIST / 'images')}"
    )
    inline_style = f"<style>{_inline_css(root / LEAFLET_CSS)}</style>"
    # str.replace, not re.sub: the inlined text contains backslashes.
    html = html.replace(script_tag, inline_script, 1).replace(css_tag, inline_style, 1)
    # Plugins (the distance tool) only where the map uses them.
    for path in (p for p in _LOCAL_JS.values() if p != LEAFLET_JS):
        tag = f'<script src="{static_url(path)}"></script>'
        html = html.replace(tag, f"<script>{_inline_js(root / path)}</script>", 1)
    for path in (p for p in _LOCAL_CSS.values() if p != LEAFLET_CSS):
        tag = f'<link rel="stylesheet" href="{static_url(path)}"/>'
        html = html.replace(tag, f"<style>{_inline_css(root / path)}</style>", 1)
    leftover = _STATIC_REFERENCE.search(html)
    if leftover:
        raise AssetsMissingError(
            f"The rendered map still loads {leftover.group(1)}; only the files of static/package.json "
            "that zgc-geo knows can be inlined."
        )
    return html
