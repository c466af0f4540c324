"""streamlit-folium's map component, fed a base map rendered once per process and shared by every session.

``st_folium`` renders the whole folium map to Leaflet JavaScript on every script run: on the Stock page that
is a fifth of a run's time, spent again for every person on every click, though the base (districts, parks,
legend, controls) is the same for everyone with the same settings. :func:`send_map` does what ``st_folium``
does (streamlit-folium 0.27, pinned in requirements.txt), but takes the base's rendering from a cache keyed
on what the base depends on, and renders only the layer that changes per person (the plots), against a
throwaway stand-in map (the component renames the map variable to ``map_div`` either way).

Only the rendering is shared: it is plain text (script, header, HTML and links), never a folium object a
session could change.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import folium
import streamlit as st
import streamlit_folium

#: Rendered bases kept per process (each is text of up to a few hundred KB: parks and districts as GeoJSON).
MAX_BASES = 24


@dataclass(frozen=True)
class RenderedBase:
    """What the component needs of a base map, made once: its script, header, HTML, id and first view."""

    script: str
    header: str
    html: str
    map_id: str
    bounds: dict[str, dict[str, float | None]]
    zoom: Any
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]


def _links(m: folium.Map) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The CSS and JS links the map's elements need, as streamlit-folium collects them."""

    def walk(element: Any) -> Iterable[Any]:
        if isinstance(element, folium.elements.JSCSSMixin):
            yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    css: list[str] = []
    js: list[str] = []
    for element in walk(m):  # (branca colour scales, which need d3 from a CDN, never pass use_local_assets)
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def render_base(m: folium.Map) -> RenderedBase:
    """Render ``m`` as streamlit-folium does (its header and HTML before its script, which changes it)."""
    m.render()
    html = streamlit_folium._get_html(m)
    header = streamlit_folium._get_header(m)
    script = streamlit_folium._get_map_string(m)
    try:
        (south, west), (north, east) = m.get_bounds()
    except AttributeError:
        south = west = north = east = None
    css, js = _links(m)
    return RenderedBase(
        script=script,
        header=header,
        html=html,
        map_id=streamlit_folium.get_full_id(m),
        bounds={"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
        zoom=m.options.get("zoom"),
        css_links=css,
        js_links=js,
    )


@st.cache_resource(show_spinner=False, max_entries=MAX_BASES)
def _shared_base(cache_key: Hashable, _build: Callable[[], folium.Map]) -> RenderedBase:
    return render_base(_build())


def layer_script(layer: folium.FeatureGroup) -> str:
    """The JavaScript that adds ``layer`` to the component's map (rendered against a stand-in map)."""
    stand_in = folium.Map(tiles=None)
    return streamlit_folium._get_feature_group_string(layer, map=stand_in, idx=0)


def send_map(
    build: Callable[[], folium.Map],
    cache_key: Hashable,
    *,
    key: str,
    height: int,
    returned_objects: list[str],
    layer: folium.FeatureGroup | None = None,
    zoom: int | None = None,
    center: tuple[float, float] | None = None,
) -> dict[str, Any] | None:
    """Show the base map ``build`` makes (rendered once per ``cache_key`` and shared) with ``layer`` on it;
    what the browser reports, as ``st_folium`` returns it.

    ``cache_key`` must name everything the base depends on (data version, settings, language): two calls
    with equal keys get the same rendering.
    """
    base = _shared_base(cache_key, build)
    hash_key = streamlit_folium.generate_js_hash(base.script, key, False)
    defaults = {
        name: value
        for name, value in {
            "last_clicked": None,
            "last_object_clicked": None,
            "last_object_clicked_count": None,
            "last_object_clicked_tooltip": None,
            "last_object_clicked_popup": None,
            "all_drawings": None,
            "last_active_drawing": None,
            "bounds": base.bounds,
            "zoom": base.zoom,
            "last_circle_radius": None,
            "last_circle_polygon": None,
            "selected_layers": None,
            "selected_tags": None,
            "last_geocoder_result": None,
        }.items()
        if name in returned_objects
    }

    def copy_report() -> None:  # as st_folium: the report under the caller's key too
        st.session_state[key] = st.session_state.get(hash_key, {})

    return streamlit_folium._component_func(
        script=base.script,
        header=base.header,
        html=base.html,
        id=base.map_id,
        key=hash_key,
        height=height,
        width=None,  # the container's width
        returned_objects=returned_objects,
        default=defaults,
        zoom=zoom,
        center=center,
        feature_group=layer_script(layer) if layer is not None else None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(base.css_links),
        js_links=list(base.js_links),
        on_change=copy_report,
        wrap_longitude=False,
    )
