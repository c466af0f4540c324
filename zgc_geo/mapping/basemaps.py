"""Basemaps: none by default (maps must work on an intranet), online services, and local tiles.

Each :class:`Basemap` says which datum its tiles are drawn in. OpenStreetMap, CARTO and
Tianditu (CGCS2000, within a metre of WGS84) match our WGS84 data; Amap (高德) tiles are
GCJ-02, so on Amap every overlay is shifted to match by :mod:`zgc_geo.mapping.display_datum`
(builders call :func:`basemap_datum`). Tianditu needs a key, read from the environment by
:func:`zgc_geo.settings.tianditu_key` and never stored in code; without one it is listed as
unavailable, with the reason. Local tile sets (``static/tiles/<name>/``, see
:mod:`zgc_geo.mapping.local_tiles`) need no internet at all.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

import folium

from zgc_geo.errors import OptionError
from zgc_geo.mapping.local_tiles import (
    TILES_FOLDER,
    LocalTileSet,
    local_tile_sets,
    tiles_from_mbtiles,
    tiles_root,
)
from zgc_geo.mapping.web_assets import STATIC_URL_PATH, static_url
from zgc_geo.settings import TIANDITU_KEY_ENV, tianditu_key

__all__ = [
    "BASEMAPS",
    "LOCAL_PREFIX",
    "NO_BASEMAP",
    "Basemap",
    "add_basemap",
    "available_basemaps",
    "basemap_datum",
    "get_basemap",
    "tiles_from_mbtiles",
]


@dataclass(frozen=True)
class Basemap:
    """A tile service in Web Mercator; ``datum`` is what its tiles are drawn in.

    ``url`` is a Leaflet template; ``overlays`` are further templates drawn on top (labels).
    ``available`` is False, with ``reason`` saying why, when the basemap cannot be drawn
    here (no key, no tiles); choosing it then raises rather than failing silently.
    """

    key: str
    label: str
    url: str
    attribution: str
    datum: str = "wgs84"
    needs_internet: bool = True
    subdomains: str = "abc"
    max_zoom: int = 18
    overlays: tuple[str, ...] = ()
    available: bool = True
    reason: str = ""


NO_BASEMAP: Final = "none"
LOCAL_PREFIX: Final = "local:"

_TIANDITU_WMTS = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={{tk}}"
)

_NONE = Basemap(
    NO_BASEMAP,
    "无底图（离线可用）No basemap (works offline)",
    "",
    "",
    needs_internet=False,
)

#: The online services, keyed by :attr:`Basemap.key`. Their availability (the Tianditu key)
#: is decided at run time: list them with :func:`available_basemaps`.
BASEMAPS: Final[dict[str, Basemap]] = {
    b.key: b
    for b in (
        Basemap(
            "osm",
            "OpenStreetMap",
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "© OpenStreetMap contributors (ODbL)",
            max_zoom=19,
        ),
        Basemap(
            "carto_light",
            "CARTO Positron",
            "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
            "© OpenStreetMap contributors © CARTO",
            subdomains="abcd",
            max_zoom=19,
        ),
        Basemap(
            "amap",
            "高德地图 Amap",
            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
            "© 高德地图 AutoNavi",
            datum="gcj02",
            subdomains="1234",
        ),
        Basemap(
            "tianditu",
            "天地图 Tianditu",
            _TIANDITU_WMTS.format(layer="vec"),
            "© 天地图 Tianditu (国家地理信息公共服务平台)",
            subdomains="01234567",
            overlays=(_TIANDITU_WMTS.format(layer="cva"),),
        ),
    )
}


def _with_availability(basemap: Basemap) -> Basemap:
    if basemap.key == "tianditu" and not tianditu_key():
        return dataclasses.replace(
            basemap,
            available=False,
            reason=f"needs a Tianditu key: set the environment variable {TIANDITU_KEY_ENV}",
        )
    return basemap


def _local_basemap(tiles: LocalTileSet) -> Basemap:
    return Basemap(
        f"{LOCAL_PREFIX}{tiles.name}",
        f"本地瓦片 Local tiles: {tiles.name}",
        static_url(f"{TILES_FOLDER}/{tiles.name}/{{z}}/{{x}}/{{y}}.{tiles.ext}"),
        tiles.attribution,
        datum=tiles.datum,
        needs_internet=False,
        max_zoom=tiles.max_zoom,
        available=not tiles.problem,
        reason=tiles.problem and f"{tiles.path}: {tiles.problem}",
    )


def available_basemaps() -> list[Basemap]:
    """Every basemap, usable or not (see :attr:`Basemap.available` and :attr:`Basemap.reason`).

    Order: none, the online services, then each tile set in ``static/tiles/`` as
    ``local:<name>`` — or, when there is none, one unavailable ``local`` entry saying how to add one.
    """
    local = [_local_basemap(t) for t in local_tile_sets()]
    if not local:
        local = [
            Basemap(
                "local",
                "本地瓦片 Local tiles",
                "",
                "",
                needs_internet=False,
                available=False,
                reason=f"no tile sets in {tiles_root()}: add an XYZ folder NAME/{{z}}/{{x}}/{{y}}.png "
                "or unpack an MBTiles file there (tiles_from_mbtiles)",
            )
        ]
    return [_NONE, *(_with_availability(b) for b in BASEMAPS.values()), *local]


def get_basemap(key: str) -> Basemap:
    """The basemap called ``key`` (available or not).

    Raises
    ------
    OptionError
        If there is no such basemap; the message lists the valid keys.
    """
    everything = {b.key: b for b in available_basemaps()}
    if key not in everything:
        valid = ", ".join(k for k, b in everything.items() if b.available)
        raise OptionError(f"unknown basemap {key!r}; valid: {valid}")
    return everything[key]


def basemap_datum(key: str) -> str:
    """``"wgs84"`` or ``"gcj02"``: the datum overlays must be drawn in on basemap ``key``.

    Raises
    ------
    OptionError
        If there is no such basemap.
    """
    if key == NO_BASEMAP:
        return "wgs84"
    return get_basemap(key).datum


def add_basemap(m: folium.Map, key: str, base_url_path: str = "") -> None:
    """Add basemap ``key`` to ``m`` (beneath everything else); ``"none"`` adds nothing.

    ``base_url_path`` is Streamlit's ``server.baseUrlPath``, needed only for local tiles
    when the app is served under a URL prefix.

    Raises
    ------
    OptionError
        If there is no such basemap, or it is unavailable here (the message says why).
    """
    if key == NO_BASEMAP:
        return
    basemap = get_basemap(key)
    if not basemap.available:
        raise OptionError(f"basemap {key!r} is unavailable: {basemap.reason}")
    templates = [basemap.url, *basemap.overlays]
    local = basemap.key.startswith(LOCAL_PREFIX)
    if local and base_url_path.strip("/"):
        templates = [static_url(url.removeprefix(f"{STATIC_URL_PATH}/"), base_url_path) for url in templates]
    key_value = tianditu_key() if basemap.key == "tianditu" else None
    for index, template in enumerate(templates):
        url = template.replace("{tk}", quote(key_value, safe="")) if key_value else template
        folium.TileLayer(
            tiles=url,
            attr=basemap.attribution,
            name=basemap.label if index == 0 else f"{basemap.label} 注记 labels",
            control=False,
            # Local tiles are enlarged beyond their deepest zoom rather than running out.
            max_zoom=max(18, basemap.max_zoom) if local else basemap.max_zoom,
            max_native_zoom=basemap.max_zoom,
            subdomains=basemap.subdomains,
        ).add_to(m)
