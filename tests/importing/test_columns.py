"""Headers in any of their Chinese or English styles map to the canonical plot fields, units included."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from zgc_geo.crs import M2_PER_HA, M2_PER_MU
from zgc_geo.errors import LayerError, OptionError
from zgc_geo.importing.columns import (
    CANONICAL_FIELDS,
    ColumnMapping,
    apply_mapping,
    guess_mapping,
    header_unit,
    load_aliases,
)

BUREAU_STYLE = {
    "地块编号": "plot_id",
    "地块名称": "name",
    "所属园区": "park_id",
    "用地性质": "land_use_code",
    "用地面积（平方米）": "area_reported",
    "现状容积率": "far_current",
    "规划容积率": "far_permitted",
    "建筑面积": "floor_area_m2",
    "闲置起始时间": "idle_since",
    "土地权属": "land_rights",
    "土地使用者": "owner",
    "处置状态": "status",
    "亩均产值（万元/亩）": "output_per_mu_wan",
    "亩均税收(万元/亩)": "tax_per_mu_wan",
}
SPREADSHEET_STYLE = {
    " 宗地号 ": "plot_id",
    "名称": "name",
    "园区": "park_id",
    "地类编码": "land_use_code",
    "面积(亩)": "area_reported",
    "容积率": "far_current",
    "控规容积率": "far_permitted",
    "总建筑面积(㎡)": "floor_area_m2",
    "闲置年份": "idle_since",
    "权属": "land_rights",
    "权利人": "owner",
    "状态": "status",
}
ENGLISH_STYLE = {
    "parcel_id": "plot_id",
    "Name": "name",
    "Park": "park_id",
    "land_use": "land_use_code",
    "Area_HA": "area_reported",
    "FAR": "far_current",
    "far_permitted": "far_permitted",
    "floor_area": "floor_area_m2",
    "idle_year": "idle_since",
    "ownership": "land_rights",
    "owner": "owner",
    "status": "status",
    "output_per_mu": "output_per_mu_wan",
    "tax_per_mu": "tax_per_mu_wan",
}
FULL_WIDTH_AND_QUALIFIED = {
    "ＰＬＯＴ＿ＩＤ": "plot_id",
    "地块 名称": "name",
    "容积率（现状）": "far_current",
    "容积率【规划】": "far_permitted",
    "面积/公顷": "area_reported",
    "亩均产值万元/亩": "output_per_mu_wan",
}


@pytest.mark.parametrize(
    "headers",
    [BUREAU_STYLE, SPREADSHEET_STYLE, ENGLISH_STYLE, FULL_WIDTH_AND_QUALIFIED],
    ids=["bureau", "spreadsheet", "english", "full-width"],
)
def test_header_styles_map_to_canonical_fields(headers: dict[str, str]) -> None:
    mapping = guess_mapping([*headers, "备注", "联系人"])
    assert {source: canonical for canonical, source in mapping.fields.items()} == headers
    assert mapping.conflicts == ()


@pytest.mark.parametrize(
    ("canonical", "header", "unit", "factor"),
    [
        ("area_reported", "面积（亩）", "mu", M2_PER_MU),
        ("area_reported", "用地面积(公顷)", "ha", M2_PER_HA),
        ("area_reported", "宗地面积（hm²）", "ha", M2_PER_HA),
        ("area_reported", "area_mu", "mu", M2_PER_MU),
        ("area_reported", "area_ha", "ha", M2_PER_HA),
        ("area_reported", "面积（平方米）", "m2", 1.0),
        ("area_reported", "面积(㎡)", "m2", 1.0),
        ("area_reported", "面积", None, 1.0),
        ("floor_area_m2", "建筑面积（万平方米）", "wan_m2", 10_000.0),
        ("output_per_mu_wan", "亩均产值（万元/亩）", "wan", 1.0),
        ("output_per_mu_wan", "亩均产值(元/亩)", "yuan", 1e-4),
        ("tax_per_mu_wan", "亩均税收", None, 1.0),
    ],
)
def test_the_unit_comes_from_the_header(canonical: str, header: str, unit: str | None, factor: float) -> None:
    assert header_unit(canonical, header) == unit
    mapping = guess_mapping([header])
    assert mapping.source(canonical) == header
    assert mapping.factor(canonical) == pytest.approx(factor)


def test_a_more_specific_alias_beats_a_generic_one_whatever_the_column_order() -> None:
    mapping = guess_mapping(["编号", "土地性质", "地块编号", "权属"])
    assert mapping.source("plot_id") == "地块编号"
    assert mapping.source("land_rights") == "权属"  # 土地性质 is ambiguous; 权属 is preferred
    assert mapping.conflicts == (("plot_id", "地块编号", "编号"), ("land_rights", "权属", "土地性质"))


def test_two_columns_claiming_one_field_warn_naming_both_and_the_first_wins() -> None:
    frame = pd.DataFrame({"面积（亩）": ["15"], "面积（公顷）": ["1"], "备注": ["x"]})
    mapping = guess_mapping(list(frame.columns))
    assert mapping.source("area_reported") == "面积（亩）"
    assert mapping.factor("area_reported") == pytest.approx(M2_PER_MU)
    renamed, problems = apply_mapping(frame, mapping)
    assert list(renamed.columns) == ["area_reported", "面积（公顷）", "备注"]
    (problem,) = problems
    assert (problem.severity, problem.code, problem.field, problem.value) == (
        "warning",
        "column_ambiguous",
        "area_reported",
        "面积（公顷）",
    )
    assert (
        problem.message
        == "columns '面积（亩）' and '面积（公顷）' both look like area_reported; using '面积（亩）'"
    )
    assert "choose it in the column mapping" in problem.hint


def test_apply_mapping_keeps_extra_columns_and_renames_only_clashes() -> None:
    columns = {
        "地块编号": ["A1"],
        "plot_id": ["old-1"],
        "面积": ["10"],
        "area_m2": ["5"],
        "备注": ["<b>x</b>"],
    }
    frame = gpd.GeoDataFrame(columns, geometry=[box(116.3, 40.0, 116.31, 40.01)], crs=4326)
    renamed, problems = apply_mapping(frame, guess_mapping(list(columns)))
    assert list(renamed.columns) == [
        "plot_id", "plot_id_source", "area_reported", "area_m2_source", "备注", "geometry"
    ]  # fmt: skip
    assert renamed["plot_id"].tolist() == ["A1"]
    assert renamed["备注"].tolist() == ["<b>x</b>"]  # values untouched
    assert isinstance(renamed, gpd.GeoDataFrame)
    codes = [(p.code, p.field) for p in problems]
    assert codes == [
        ("column_ambiguous", "plot_id"),
        ("column_ambiguous", "area_reported"),
        ("column_renamed", "plot_id"),
        ("column_renamed", "area_m2"),
    ]
    assert problems[2].message == (
        "extra column 'plot_id' is kept as 'plot_id_source': 'plot_id' is a column of the canonical schema"
    )


def test_the_user_overrides_the_guess() -> None:
    frame = pd.DataFrame({"编号": ["1"], "地块编号": ["A1"], "名称": ["甲"], "面积（公顷）": ["2"]})
    mapping = guess_mapping(list(frame.columns))
    renamed, problems = apply_mapping(frame, mapping, overrides={"plot_id": "编号", "name": ""})
    assert problems == []  # the override settles the ambiguity
    assert list(renamed.columns) == ["plot_id", "地块编号", "名称", "area_reported"]
    chosen = mapping.with_overrides({"floor_area_m2": "面积（公顷）"}, list(frame.columns))
    assert chosen.source("area_reported") is None  # a column serves one field only
    assert chosen.source("floor_area_m2") == "面积（公顷）"
    assert chosen.factor("floor_area_m2") == pytest.approx(M2_PER_HA)


def test_bad_overrides_name_the_field_or_column() -> None:
    mapping = guess_mapping(["地块编号"])
    with pytest.raises(
        OptionError, match=r"unknown field\(s\) 'plot' in the column mapping; valid fields: plot_id"
    ):
        mapping.with_overrides({"plot": "地块编号"})
    with pytest.raises(
        OptionError, match=r"names column\(s\) not in the data: name='名称'; columns: 地块编号"
    ):
        apply_mapping(pd.DataFrame({"地块编号": ["A1"]}), mapping, overrides={"name": "名称"})
    with pytest.raises(OptionError, match=r"not in the data: plot_id='ID'"):
        apply_mapping(pd.DataFrame({"x": [1]}), ColumnMapping(fields={"plot_id": "ID"}))


def test_shipped_aliases_cover_every_canonical_field() -> None:
    aliases = load_aliases()
    assert set(aliases.values()) == set(CANONICAL_FIELDS)
    assert aliases["宗地号"] == "plot_id"
    assert aliases["亩均税收"] == "tax_per_mu_wan"


def test_users_add_aliases_by_editing_the_table(data_copy: Path) -> None:
    table = data_copy / "layers" / "import_column_aliases.csv"
    table.write_text(table.read_text(encoding="utf-8") + "plot_id,清查编号\n", encoding="utf-8")
    assert guess_mapping(["清查编号"]).source("plot_id") == "清查编号"


def test_a_broken_alias_table_names_every_bad_line(data_copy: Path) -> None:
    table = data_copy / "layers" / "import_column_aliases.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    table.write_text(
        "\n".join([*lines, "name,地块编号", "plot_area,面积", "owner, "]) + "\n", encoding="utf-8"
    )
    end = len(lines)
    with pytest.raises(LayerError) as caught:
        load_aliases()
    message = str(caught.value)
    assert f"line {end + 1}, field 'alias': '地块编号' already names 'plot_id' on line 2" in message
    assert f"line {end + 2}, field 'canonical_field': 'plot_area' is not a canonical field" in message
    assert f"line {end + 3}, field 'alias': empty alias" in message
