"""The maps' distance tool measures geodesic distances on WGS84, as pyproj.Geod does (#13 item 15)."""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import pytest
from pyproj import Geod

from zgc_geo.mapping.map_controls import _GEODESIC_JS, MeasureControl, map_language
from zgc_geo.mapping.overview_map import build_overview_map
from zgc_geo.plan_data import PlanData

#: (lat, lon) pairs: across Beijing's parks, north–south, east–west, and Beijing to Zhangjiakou.
PAIRS = [
    ((39.98, 116.31), (39.90, 116.40)),
    ((40.45, 115.97), (39.70, 116.30)),
    ((39.90, 115.90), (39.90, 117.10)),
    ((39.90, 116.40), (40.77, 114.88)),
]


def _leaflet_distances(pairs: list[tuple[tuple[float, float], tuple[float, float]]]) -> list[float]:
    """Run the tool's distance function in Node against a minimal ``L`` (Leaflet's sphere as fallback)."""
    script = (
        "var L = {CRS: {Earth: {distance: function() { return NaN; }}}};\n"
        + _GEODESIC_JS
        + "\nvar pairs = "
        + json.dumps(pairs)
        + ";\nconsole.log(JSON.stringify(pairs.map(function(p) { return L.CRS.Earth.distance("
        "{lat: p[0][0], lng: p[0][1]}, {lat: p[1][0], lng: p[1][1]}); })));"
    )
    node = shutil.which("node")
    assert node is not None
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True, timeout=60)
    return [float(d) for d in json.loads(out.stdout)]


@pytest.mark.skipif(
    shutil.which("node") is None, reason="Node.js (installed with npm for static/) is missing"
)
def test_measured_distances_match_pyproj_geod_to_the_millimetre() -> None:
    geod = Geod(ellps="WGS84")
    measured = _leaflet_distances(PAIRS)
    for ((lat1, lon1), (lat2, lon2)), distance in zip(PAIRS, measured, strict=True):
        _, _, expected = geod.inv(lon1, lat1, lon2, lat2)
        assert distance == pytest.approx(expected, abs=1e-3)
    # Leaflet's own sphere (R = 6371 km) is tens of metres off over these lengths: the override matters.
    (lat1, lon1), (lat2, lon2) = PAIRS[3]
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    sphere = 2 * 6371000 * math.asin(math.sqrt(a))
    assert abs(sphere - geod.inv(lon1, lat1, lon2, lat2)[2]) > 10.0


def test_the_tool_speaks_the_maps_language(plan: PlanData) -> None:
    assert map_language(build_overview_map(plan, lang="zh")) == "zh"
    assert map_language(build_overview_map(plan, lang="en")) == "en"
    control = MeasureControl()
    assert control.options("en")["measureControlTitleOn"] == "Measure distance"
    assert control.options("zh")["measureControlTitleOn"] == "测量距离"
    assert control.options("zh")["unit"] == "metres"


def test_every_built_map_carries_one_tool(plan: PlanData) -> None:
    m = build_overview_map(plan, lang="en")
    tools = [c for c in m._children.values() if isinstance(c, MeasureControl)]
    assert len(tools) == 1 and tools[0].lang == "en"
