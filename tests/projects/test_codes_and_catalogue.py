"""Industry codes as people write them, the shipped tables, and a catalogue file checked row by row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.projects.conftest import write_csv
from zgc_geo.catalogue import load_layer
from zgc_geo.errors import UnreadableInputError
from zgc_geo.projects.catalogue import COLUMNS, load_catalogue
from zgc_geo.projects.codes import SECTION_DIVISIONS, chain, industry_codes, normalise_code
from zgc_geo.projects.fit import FITS, NO_CLUSTER, OTHER_CLUSTER, OUTSIDE_PARKS, cluster_fit, code_clusters
from zgc_geo.projects.intake import read_projects


@pytest.mark.parametrize(
    ("text", "code"),
    [("3011", "3011"), (" C3011 ", "3011"), ("c30", "30"), ("Ｃ３０１１", "3011"), ("C", "C"),
     ("0111", "0111"), ("A3011", None), ("99", None), ("30111", None), ("3", None), ("", None),
     ("水泥", None), (None, None)],
)  # fmt: skip
def test_codes_are_read_as_people_write_them(text: object, code: str | None) -> None:
    assert normalise_code(text) == code


def test_a_code_chain_runs_up_to_its_section() -> None:
    assert chain("3011") == ("C", "30", "301", "3011")
    assert chain("0111") == ("A", "01", "011", "0111")
    assert chain("K") == ("K",)


def test_the_shipped_code_list_is_whole_and_consistent() -> None:
    table = load_layer("industry_codes")
    assert table["code"].is_unique
    counts = table["level"].value_counts()
    assert counts["section"] == 20 and counts["division"] == 97
    assert counts["group"] > 400 and counts["class"] > 1300
    codes = set(table["code"])
    assert all(p in codes for p in table["parent"] if p)
    for row in table.itertuples(index=False):
        if row.level != "section":
            assert chain(row.code)[-2] == row.parent, row.code
    divisions = table[table["level"] == "division"]
    assert (divisions["name_en"] != "").all()
    assert set(table.loc[table["level"] == "section", "code"]) == set(SECTION_DIVISIONS)
    assert industry_codes().label("3011", "zh") == "3011 水泥制造"


def test_the_shipped_catalogue_and_mappings_name_only_real_codes() -> None:
    catalogue = load_catalogue()  # validated row by row on load
    codes = industry_codes()
    assert set(catalogue.rules["measure"]) == {"禁止", "限制"}
    sources = load_layer("industry_catalogue_sources")
    assert set(catalogue.rules["clause"]) == set(sources["clause"])  # every shipped rule has its source
    assert list(load_layer("industry_catalogue").columns) == list(COLUMNS)
    mapping = code_clusters()
    assert all(codes.known(c) for c in mapping["code"])
    assert set(mapping["cluster_id"]) <= set(load_layer("clusters")["cluster_id"])


def test_a_bad_catalogue_lists_every_row_to_fix(tmp_path: Path) -> None:
    rows = [
        ["3011", "禁止", "全市", "", "ok", "2018"],
        ["30111", "禁止", "全市", "", "bad code", "2018"],
        ["3011", "不准", "海淀", "", "bad measure and scope", "2018"],
        ["3011", "限制", "海淀区", "", "", ""],
    ]
    path = write_csv(tmp_path / "bad.csv", list(COLUMNS), rows)
    with pytest.raises(UnreadableInputError) as caught:
        load_catalogue(path)
    message = str(caught.value)
    assert "5 problem(s)" in message  # code; measure and scope; clause and edition
    assert "row 3, column code" in message and "row 4, column measure" in message
    assert "row 4, column scope" in message and "row 5, column clause" in message
    assert "row 5, column edition" in message
    missing = write_csv(tmp_path / "missing.csv", ["code", "measure"], [["30", "禁止"]])
    with pytest.raises(UnreadableInputError, match="missing: scope, condition, clause, edition"):
        load_catalogue(missing)


def test_a_catalogue_may_come_as_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.xlsx"
    frame = pd.DataFrame([["C", "禁止", "中心城区", "", "X-1", "2018"]], columns=[c.upper() for c in COLUMNS])
    frame.to_excel(path, index=False)
    rules = load_catalogue(path).rules
    assert list(rules["code"]) == ["C"] and list(rules["row"]) == [2]


def test_cluster_fit_follows_the_plan_and_the_mapping() -> None:
    mapping = code_clusters()
    hosted = {"haidian": {"frontier_it": "§五(一)1 core"}, "pinggu": {"smart_mfg_materials": "lead"}}
    assert cluster_fit("6513", "haidian", mapping, hosted).fit == FITS
    assert cluster_fit("6513", "pinggu", mapping, hosted).fit == OTHER_CLUSTER
    assert cluster_fit("3011", "haidian", mapping, hosted).fit == NO_CLUSTER
    assert cluster_fit("6513", None, mapping, hosted).fit == OUTSIDE_PARKS
    both = cluster_fit("3612", "pinggu", mapping, hosted)  # the most specific code with rows decides
    assert set(both.industry_clusters) == {"modern_transport", "eco_energy"}
    assert cluster_fit("7340", "haidian", mapping, hosted).industry_clusters == ("bio_health",)


def test_headers_match_however_they_are_spaced_and_with_a_datum_note(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            "Project Name",
            "Industry Code",
            "经度（WGS84）",
            "纬度(WGS-84)",
            "Land Area (ha)",
            "Investment (100m yuan)",
        ],
        [["a", "C3011", "116.3", "39.98", "2", "1.5"]],
    )
    projects = read_projects(path, industry_codes())
    assert set(projects.headers) == {"name", "industry_code", "lon", "lat", "land_area_mu", "investment_wan"}
    assert projects.fields.loc[0, "land_area_mu"] == pytest.approx(30.0)
    assert projects.fields.loc[0, "investment_wan"] == pytest.approx(15_000.0)
