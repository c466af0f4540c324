"""The parameters exported with a ranking read in the workbook's language: names first, codes as detail."""

from __future__ import annotations

import re

import pytest

from tests.siting.tied_plots import tied_plots
from zgc_geo.plan_data import plan_from_catalogue
from zgc_geo.siting.analysis import SitingOptions, SitingResult, site_cluster

CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


@pytest.fixture(scope="module")
def result() -> SitingResult:
    return site_cluster(plan_from_catalogue(), tied_plots(), SitingOptions("frontier_it", runs=50))


@pytest.mark.parametrize(
    ("lang", "factor", "value", "note"),
    [
        (
            "zh",
            "因子：距前沿信息特色园区距离",
            "越小越好，500–8000 m",
            "本集群的创新中心：规划未给出位置，未作为因子",
        ),
        (
            "en",
            "Factor: Distance to the Frontier IT feature parks",
            "cost (lower is better), 500–8000 m",
            "The cluster's innovation centres: not located in the plan, so not a factor",
        ),
    ],
)
def test_parameters_by_name_in_the_language(
    result: SitingResult, lang: str, factor: str, value: str, note: str
) -> None:
    table = result.parameters(lang).set_index("parameter")
    assert table.at[factor, "value"] == value
    assert table.at[factor, "detail"].startswith("near_feature_parks · ")  # the id, after the name
    assert note in table["value"].to_list()
    shown = [*table.index, *table["value"]]
    assert [text for text in shown if CODE.search(text)] == []
    assert list(result.parameters(lang).columns) == ["parameter", "value", "detail"]  # the sheet's fields
