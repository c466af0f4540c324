"""The Beijing–Tianjin–Hebei map: zones numbered nearest first, the legend keys the numbers to names."""

from __future__ import annotations

import re

import folium
import pytest

from tests.map_page import legend_html
from zgc_geo.coverage.bth import core_point, zone_distances
from zgc_geo.mapping.bth_map import build_bth_map
from zgc_geo.mapping.style import ZONE_LABEL_CLASS
from zgc_geo.plan_data import PlanData

NUMBER = re.compile(r"zgc-zone-number'>(\d+)</span>")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_zones_are_numbered_nearest_first_and_keyed_in_the_legend(plan: PlanData, lang: str) -> None:
    distances = zone_distances(plan)
    m = build_bth_map(plan, distances, core_point(plan), lang=lang)
    page = m.get_root().render()
    legend = legend_html(page)
    name = "name_zh" if lang == "zh" else "name_en"
    nearest_first = distances.sort_values("km_to_core", kind="stable")
    keyed = re.findall(r"zgc-zone-number'>(\d+)</span><span>([^<]+) · ([\d,]+) km</span>", legend)
    assert [int(n) for n, _, _ in keyed] == list(range(1, len(distances) + 1))
    names = {z.zone_id: getattr(z, name) for z in plan.cooperation_zones.itertuples()}
    assert [label for _, label, _ in keyed] == [names[z] for z in nearest_first["zone_id"]]
    kms = [float(km.replace(",", "")) for _, _, km in keyed]
    assert kms == sorted(kms)
    # Each number is on the map once, beside its distance; the long names are only in the legend.
    labels = [icon.options["html"] for icon in _zone_labels(m)]
    assert sorted(int(NUMBER.search(html)[1]) for html in labels) == list(range(1, len(distances) + 1))
    assert not any(getattr(z, name) in html for html in labels for z in plan.cooperation_zones.itertuples())


def _zone_labels(element: object) -> list[folium.DivIcon]:
    found = []
    for child in getattr(element, "_children", {}).values():
        if isinstance(child, folium.DivIcon) and ZONE_LABEL_CLASS in str(child.options.get("class_name", "")):
            found.append(child)
        found += _zone_labels(child)
    return found
