"""Optional online basemaps. The default is none: maps must work on an intranet with no internet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import folium

from zgc_geo.errors import OptionError


@dataclass(frozen=True)
class Basemap:
    """A tile service in Web Mercator over WGS84, so our WGS84 data sits on it exactly."""

    key: str
    label: str
    url: str
    attribution: str


#: Only WGS84-registered tiles are offered. Amap, Tencent and Baidu tiles are GCJ-02 /
#: BD-09: WGS84 data drawn on them lands ~500 m off, so they are deliberately absent.
BASEMAPS: Final[dict[str, Basemap]] = {
    b.key: b
    for b in (
        Basemap(
            "osm",
            "OpenStreetMap (online)",
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "© OpenStreetMap contributors (ODbL)",
        ),
        Basemap(
            "carto_light",
            "CARTO Positron (online)",
            "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
            "© OpenStreetMap contributors © CARTO",
        ),
    )
}
NO_BASEMAP: Final = "none"


def add_basemap(m: folium.Map, key: str) -> None:
    """Add the named online basemap to ``m``; ``"none"`` adds nothing."""
    if key == NO_BASEMAP:
        return
    if key not in BASEMAPS:
        valid = ", ".join([NO_BASEMAP, *BASEMAPS])
        raise OptionError(f"unknown basemap {key!r}; valid: {valid}")
    basemap = BASEMAPS[key]
    folium.TileLayer(tiles=basemap.url, attr=basemap.attribution, name=basemap.label, control=False).add_to(m)
