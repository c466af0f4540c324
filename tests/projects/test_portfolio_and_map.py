"""The portfolio sums per park and cluster, and the map's tooltips never carry markup from a list."""

from __future__ import annotations

import pandas as pd
import pytest

from zgc_geo.catalogue import layer_spec, load_layer
from zgc_geo.mapping.html_text import detail_html
from zgc_geo.mapping.projects_map import SITE_CLASS, build_projects_map, verdict_legend
from zgc_geo.plan_data import plan_from_catalogue
from zgc_geo.projects.catalogue import load_catalogue
from zgc_geo.projects.codes import industry_codes
from zgc_geo.projects.intake import read_projects
from zgc_geo.projects.intensity import load_thresholds
from zgc_geo.projects.portfolio import portfolio, summed
from zgc_geo.projects.screening import screen_projects


def test_the_demo_portfolio_adds_up() -> None:
    codes = industry_codes()
    projects = read_projects(layer_spec("demo_projects").path, codes)
    screened = screen_projects(projects, load_catalogue(), codes, plan_from_catalogue(), load_thresholds())
    by_park = portfolio(projects, screened, "park_id").set_index("park_id")
    assert by_park["total_projects"].sum() == 11
    fangshan = by_park.loc["fangshan"]
    assert fangshan["prohibited_projects"] == 1 and fangshan["allowed_projects"] == 1
    assert fangshan["total_land_area_mu"] == pytest.approx(420.0)
    assert fangshan["prohibited_investment_wan"] == pytest.approx(300_000.0)  # 30 亿元
    assert by_park.loc["outside_parks", "total_projects"] == 2
    by_cluster = portfolio(projects, screened, "cluster_id").set_index("cluster_id")
    assert by_cluster.loc["frontier_it", "total_projects"] == 3  # 6513, 3973, 6450
    assert by_cluster.loc["no_cluster", "total_projects"] == 6  # 7010, 4411, 6210, 3670, 5920, 8341


def test_site_tooltips_are_escaped_text() -> None:
    plan = plan_from_catalogue()
    tooltip = detail_html("<script>alert(1)</script>", "x", [("结论", "<b>禁止</b>")])
    m = build_projects_map(
        plan.parks, plan.districts, load_layer("catalogue_zones"), [(116.3, 40.0, "#d7191c", tooltip)],
        legend=verdict_legend("zh"), legend_title="结论",
    )  # fmt: skip
    page = m.get_root().render()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert SITE_CLASS in page


def test_an_empty_group_sums_to_zero_and_missing_figures_stay_missing() -> None:
    table = pd.DataFrame(
        {"park_id": ["a", "a", "b"], "stage": ["x", "x", "y"], "land_area_mu": [1.0, 2.0, None],
         "investment_wan": [1.0, None, 2.0], "clusters": [[], [], []]}
    )  # fmt: skip
    sums = summed(table, "park_id", "stage", ["x", "y", "z"]).set_index("park_id")
    assert sums.loc["a", "z_projects"] == 0 and sums.loc["a", "z_land_area_mu"] == 0.0
    assert sums.loc["a", "x_land_area_mu"] == 3.0 and sums.loc["a", "x_investment_wan"] == 1.0
    assert pd.isna(sums.loc["b", "y_land_area_mu"]) and sums.loc["b", "y_projects"] == 1
