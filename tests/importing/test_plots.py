"""An idle-plot inventory becomes the canonical schema; every doubtful value is reported by user row."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, Point, Polygon, box

from zgc_geo.crs import ANALYSIS_CRS, M2_PER_MU
from zgc_geo.errors import CRSError
from zgc_geo.importing.columns import guess_mapping
from zgc_geo.importing.plots import OUTPUT_COLUMNS, normalise_plots
from zgc_geo.importing.report import Problem

#: A point in 海淀 in EPSG:4548 metres; fixtures are drawn around it in metres.
X0, Y0 = 440_000.0, 4_430_000.0


def metric(x: float, y: float, size: float = 100.0) -> Polygon:
    """A square plot ``size`` metres wide, its corner ``x``, ``y`` metres from the origin."""
    return box(X0 + x, Y0 + y, X0 + x + size, Y0 + y + size)


def plots(columns: dict[str, list], geoms: list) -> gpd.GeoDataFrame:
    """A plot layer in EPSG:4326 from metric geometries (None stays None)."""
    return gpd.GeoDataFrame(
        columns, geometry=gpd.GeoSeries(geoms, crs=ANALYSIS_CRS).to_crs(4326).to_numpy(), crs=4326
    )


@pytest.fixture
def parks() -> gpd.GeoDataFrame:
    """Two parks: 海淀园 around the origin (10 km wide) and 大兴-亦庄园 50 km south-east."""
    frame = gpd.GeoDataFrame(
        {
            "park_id": ["haidian", "daxing_yizhuang"],
            "name_zh": ["海淀园", "大兴-亦庄园"],
            "name_en": ["Haidian Park", "Daxing-Yizhuang Park"],
        },
        geometry=[metric(-5_000, -5_000, 10_000), metric(40_000, -45_000, 10_000)],
        crs=ANALYSIS_CRS,
    )
    return frame.to_crs(4326)


def run(frame: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, first_row_number: int = 2, **kwargs):
    return normalise_plots(frame, parks=parks, first_row_number=first_row_number, **kwargs)


def only(problems: list[Problem], code: str) -> list[Problem]:
    return [p for p in problems if p.code == code]


def test_canonical_schema_with_areas_measured_in_metres(parks: gpd.GeoDataFrame) -> None:
    frame = plots(
        {
            "地块编号": [" A1 ", "A2"],
            "地块名称": ["一号地<script>alert(1)</script>", "  二号地 "],
            "面积（亩）": ["15", "１５.０"],  # full-width digits
            "现状容积率": ["0.8", "1.2"],
            "备注": ["  kept as is ", "=SUM(A1)"],
        },
        [metric(0, 0), metric(200, 0)],
    )
    out, problems = run(frame, parks)
    assert problems == []
    assert list(out.columns) == [*OUTPUT_COLUMNS, "备注", "geometry"]
    assert out.crs.to_epsg() == 4326
    assert out["plot_id"].tolist() == ["A1", "A2"]
    assert out["name"].tolist() == ["一号地<script>alert(1)</script>", "二号地"]  # text stays text
    assert out["备注"].tolist() == ["  kept as is ", "=SUM(A1)"]  # extra columns untouched
    assert out["area_m2"].to_numpy() == pytest.approx([10_000, 10_000], abs=0.01)
    assert out["area_mu"].to_numpy() == pytest.approx([10_000 / M2_PER_MU] * 2, abs=1e-4)
    assert out["area_reported_m2"].to_numpy() == pytest.approx([15 * M2_PER_MU] * 2)
    assert out["far_current"].tolist() == [0.8, 1.2]
    assert out["park_id"].tolist() == ["haidian", "haidian"]  # placed by location
    assert str(out["idle_since"].dtype) == "Int64"


@pytest.mark.parametrize(
    ("header", "value", "expected_m2"),
    [
        ("面积（亩）", "15", 10_000.0),
        ("用地面积(公顷)", "1", 10_000.0),
        ("宗地面积（平方米）", "10000", 10_000.0),
    ],
)
def test_the_reported_area_is_converted_by_its_header_unit(
    parks: gpd.GeoDataFrame, header: str, value: str, expected_m2: float
) -> None:
    out, problems = run(plots({"地块编号": ["A1"], header: [value]}, [metric(0, 0)]), parks)
    assert out["area_reported_m2"].iloc[0] == pytest.approx(expected_m2)
    assert only(problems, "area_mismatch") == []


def test_a_reported_area_off_by_more_than_five_percent_warns_with_both_values(
    parks: gpd.GeoDataFrame,
) -> None:
    frame = plots(
        {"地块编号": ["A1", "A2", "A3"], "用地面积": ["10400", "20000", "abc"]},
        [metric(0, 0), metric(200, 0), metric(400, 0)],
    )
    _out, problems = run(frame, parks)
    (mismatch,) = only(problems, "area_mismatch")
    assert (mismatch.severity, mismatch.row, mismatch.field, mismatch.value) == (
        "warning",
        3,
        "用地面积",
        "20000",
    )
    assert mismatch.message == (
        "reported area 20,000 m² differs from the drawn area 10,000 m² by more than 5% (ratio 2.000)"
    )
    (not_number,) = only(problems, "value_not_numeric")
    assert (not_number.row, not_number.message) == (4, "'abc' is not a number")


def test_rows_without_geometry_are_dropped_and_reported(parks: gpd.GeoDataFrame) -> None:
    frame = plots({"地块编号": ["A1", "A2", "A3"]}, [metric(0, 0), None, Polygon()])
    out, problems = run(frame, parks)
    assert out["plot_id"].tolist() == ["A1"]
    assert [(p.severity, p.code, p.row, p.field) for p in problems] == [
        ("error", "geometry_empty", 3, "geometry"),
        ("error", "geometry_empty", 4, "geometry"),
    ]
    assert problems[0].message == "the row has no geometry (missing or empty); the row is dropped"


@pytest.mark.parametrize(
    ("geometry", "kind", "type_name"),
    [
        (Point(X0, Y0), "points", "Point"),
        (LineString([(X0, Y0), (X0 + 50, Y0)]), "lines", "LineString"),
        (GeometryCollection([Point(X0, Y0)]), "a collection without polygons", "GeometryCollection"),
    ],
)
def test_points_and_lines_are_not_plots(parks: gpd.GeoDataFrame, geometry, kind: str, type_name: str) -> None:
    out, problems = run(plots({"地块编号": ["A1", "A2"]}, [metric(0, 0), geometry]), parks)
    assert out["plot_id"].tolist() == ["A1"]
    (problem,) = problems
    assert (problem.severity, problem.code, problem.row, problem.value) == (
        "error",
        "geometry_type",
        3,
        type_name,
    )
    assert problem.message == f"plots must be polygons; you imported {kind}; the row is dropped"


def test_invalid_polygons_are_repaired_and_zero_area_ones_dropped(parks: gpd.GeoDataFrame) -> None:
    bow_tie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    flat = Polygon([(X0 + 300, Y0), (X0 + 400, Y0), (X0 + 350, Y0)])
    mixed = GeometryCollection([metric(600, 0), LineString([(X0, Y0), (X0 + 1, Y0)])])
    out, problems = run(
        plots({"地块编号": ["A1", "A2", "A3"]}, [bow_tie, flat, mixed]), parks, first_row_number=1
    )
    assert out["plot_id"].tolist() == ["A1", "A3"]
    assert out.geometry.is_valid.all()
    assert out.geometry.geom_type.tolist() == ["MultiPolygon", "Polygon"]  # polygonal parts only
    assert out["area_m2"].to_numpy() == pytest.approx([5_000, 10_000], abs=0.01)
    repaired, zero = problems
    assert (repaired.severity, repaired.code, repaired.row) == ("warning", "geometry_repaired", 1)
    assert repaired.value is not None and repaired.value.startswith("Self-intersection")
    assert (zero.severity, zero.code, zero.row, zero.message) == (
        "error",
        "geometry_zero_area",
        2,
        "the polygon has (next to) zero area; the row is dropped",
    )


def test_plot_ids_generated_empty_and_duplicated(parks: gpd.GeoDataFrame) -> None:
    squares = [metric(300 * i, 0) for i in range(5)]
    out, problems = run(plots({"名称": list("abcde")}, squares), parks, first_row_number=2)
    assert out["plot_id"].tolist() == ["2", "3", "4", "5", "6"]
    assert [(p.severity, p.code, p.row) for p in problems] == [("warning", "plot_id_generated", None)]

    _out, problems = run(plots({"宗地号": ["A1", "", "A1", "B", "A1"]}, squares), parks, first_row_number=2)
    assert [(p.code, p.row, p.field, p.message) for p in problems] == [
        ("plot_id_empty", 3, "宗地号", "the plot id is empty"),
        ("plot_id_duplicate", 2, "宗地号", "plot id 'A1' is also used by row(s) 4, 6"),
        ("plot_id_duplicate", 4, "宗地号", "plot id 'A1' is also used by row(s) 2, 6"),
        ("plot_id_duplicate", 6, "宗地号", "plot id 'A1' is also used by row(s) 2, 4"),
    ]
    assert all(p.severity == "error" for p in problems)


def test_excel_number_ids_lose_their_decimal_point(parks: gpd.GeoDataFrame) -> None:
    out, _problems = run(plots({"编号": [101.0, 102.0]}, [metric(0, 0), metric(300, 0)]), parks)
    assert out["plot_id"].tolist() == ["101", "102"]


def test_park_names_and_ids_are_normalised(parks: gpd.GeoDataFrame) -> None:
    given = ["海淀园", "Haidian Park", "大兴-亦庄园", "亦庄园", "haidian", "中关村海淀园", "朝阳园", ""]
    squares = [metric(300 * i, 0) for i in range(len(given))]
    out, problems = run(plots({"地块编号": [f"P{i}" for i in range(8)], "所属园区": given}, squares), parks)
    assert out["park_id"].tolist()[:6] == [
        "haidian",
        "haidian",
        "daxing_yizhuang",
        "daxing_yizhuang",
        "haidian",
        "haidian",
    ]
    assert pd.isna(out["park_id"].iloc[6])
    assert out["park_id"].iloc[7] == "haidian"  # empty: placed by location
    (unknown,) = problems
    assert (unknown.severity, unknown.code, unknown.row, unknown.field, unknown.value) == (
        "warning",
        "park_unknown",
        8,
        "所属园区",
        "朝阳园",
    )
    assert unknown.message == "park '朝阳园' is not one of the parks"
    assert unknown.hint == "use a park name or id: 海淀园 (haidian), 大兴-亦庄园 (daxing_yizhuang)"


def test_plots_outside_every_park_are_one_note(parks: gpd.GeoDataFrame) -> None:
    squares = [metric(0, 0), metric(45_000, -40_000), *(metric(100_000 + 300 * i, 0) for i in range(7))]
    out, problems = run(plots({"地块编号": [f"P{i}" for i in range(9)]}, squares), parks)
    assert out["park_id"].tolist()[:2] == ["haidian", "daxing_yizhuang"]
    assert out["park_id"].iloc[2:].isna().all()
    (note,) = problems
    assert (note.severity, note.code, note.row) == ("info", "outside_parks", None)
    assert note.message == "7 plot(s) lie outside every park, e.g. row(s) 4, 5, 6, 7, 8 …"


def test_the_shipped_parks_are_used_by_default() -> None:
    haidian_core = gpd.GeoDataFrame(
        {"地块编号": ["A1"]}, geometry=[box(116.305, 39.98, 116.306, 39.981)], crs=4326
    )
    out, _problems = normalise_plots(haidian_core)
    assert out["park_id"].tolist() == ["haidian"]


def test_far_checks(parks: gpd.GeoDataFrame) -> None:
    frame = plots(
        {
            "地块编号": ["A1", "A2", "A3", "A4", "A5"],
            "容积率": ["abc", "１.５", "25", "-1", "2.0"],
            "规划容积率": ["2.5", "1.0", "3", "2", "2.5"],
            "建筑面积": ["", "15000", "", "", "30000"],
        },
        [metric(300 * i, 0) for i in range(5)],
    )
    out, problems = run(frame, parks)
    assert out["far_current"].iloc[1:].tolist() == [1.5, 25.0, -1.0, 2.0]
    assert [(p.severity, p.code, p.row, p.field, p.value) for p in problems] == [
        ("error", "far_not_numeric", 2, "容积率", "abc"),
        ("warning", "far_implausible", 4, "容积率", "25"),
        ("warning", "far_implausible", 5, "容积率", "-1"),
        ("info", "far_above_permitted", 3, "容积率", "１.５"),
        ("info", "far_above_permitted", 4, "容积率", "25"),
        ("info", "floor_area_inconsistent", 6, "建筑面积", "30000"),
    ]
    assert problems[1].message == "FAR 25 is outside the plausible range 0–20"
    assert problems[3].message == "current FAR 1.5 is above the permitted 1"
    assert problems[5].message == "floor area 30,000 m² differs from area × FAR = 20,000 m² by more than 20%"


@pytest.mark.parametrize(
    "value",
    [
        2015,
        2015.0,
        "2015",
        "2015年",
        "2015-06-01",
        "2015/6",
        "2015.06",
        "2015年6月",
        "20150601",
        "２０１５",
        42156,
    ],
)
def test_idle_since_reads_a_year_from_many_spellings(parks: gpd.GeoDataFrame, value: object) -> None:
    out, problems = run(
        plots({"地块编号": ["A1"], "闲置起始时间": pd.Series([value], dtype=object)}, [metric(0, 0)]), parks
    )
    assert out["idle_since"].tolist() == [2015]
    assert problems == []


def test_idle_since_unreadable_or_in_the_future_warns(parks: gpd.GeoDataFrame) -> None:
    future = dt.date.today().year + 1
    frame = plots(
        {"地块编号": ["A1", "A2", "A3"], "闲置年份": ["不详", str(future), None]},
        [metric(0, 0), metric(300, 0), metric(600, 0)],
    )
    out, problems = run(frame, parks)
    assert out["idle_since"].isna().tolist() == [True, False, True]
    assert [(p.severity, p.code, p.row, p.message) for p in problems] == [
        ("warning", "idle_since_unparsable", 2, "cannot read a year from '不详'"),
        ("warning", "idle_since_future", 3, f"idle since {future}, which is in the future"),
    ]


def test_land_rights_are_state_or_collective(parks: gpd.GeoDataFrame) -> None:
    given = [
        "国有",
        "国有建设用地",
        "国有出让",
        "国有划拨",
        "state",
        "集体",
        "集体建设用地",
        "农村集体",
        "Collective",
        "私有",
    ]
    frame = plots(
        {"地块编号": [f"P{i}" for i in range(10)], "权属": given}, [metric(300 * i, 0) for i in range(10)]
    )
    out, problems = run(frame, parks)
    assert out["land_rights"].tolist()[:9] == ["state"] * 5 + ["collective"] * 4
    assert pd.isna(out["land_rights"].iloc[9])
    assert [(p.code, p.row, p.value) for p in problems] == [("land_rights_unknown", 11, "私有")]
    assert problems[0].message == "land rights '私有' are neither state (国有) nor collective (集体)"


def test_land_use_is_classified_with_user_rows(parks: gpd.GeoDataFrame) -> None:
    frame = plots(
        {
            "地块编号": ["A1", "A2", "A3", "A4"],
            "用地性质": ["M1", "一类工业用地", "Q7", None],
            "用地分类": ["", "", "", "科研用地"],
        },
        [metric(300 * i, 0) for i in range(4)],
    )
    out, problems = run(frame, parks, first_row_number=5)
    assert out["land_use_class"].tolist()[:2] == ["industrial_m1", "industrial_m1"]
    assert pd.isna(out["land_use_class"].iloc[2])
    assert out["land_use_class"].iloc[3] == "research"  # from the class column where no code is given
    assert [(p.code, p.row, p.field, p.value) for p in problems] == [
        ("land_use_unknown", 7, "用地性质", "Q7")
    ]
    assert problems[0].message == "land-use code 'Q7' is not in any known scheme"


def test_overlapping_plots_are_reported_per_pair(parks: gpd.GeoDataFrame) -> None:
    frame = plots(
        {"地块编号": ["A", "B", "C", "D", "E", "F"]},
        [
            metric(0, 0),  # A
            metric(50, 0),  # B: half of A
            metric(150, 0),  # C: touches B's edge only
            metric(1_000, 0, 1_000),  # D: 1 km²
            metric(1_999, 0, 1_000),  # E: shares a 1 m × 1 km strip with D (1,000 m², 0.1 %)
            metric(-0.5, -0.5, 1),  # F: 0.25 m² sliver on A
        ],
    )
    _out, problems = run(frame, parks)
    (overlap,) = only(problems, "plots_overlap")
    assert (overlap.severity, overlap.row, overlap.value) == ("warning", 2, "B")
    assert overlap.message == "plots 'A' (row 2) and 'B' (row 3) overlap by 5,000.0 m² (50% of the smaller)"


def _stacked(count: int) -> gpd.GeoDataFrame:
    """``count`` plots drawn on top of one another, each slightly shifted: every pair overlaps."""
    return plots(
        {"地块编号": [f"P{i:03d}" for i in range(count)]}, [metric(i * 0.5, 0) for i in range(count)]
    )


def test_dense_overlaps_list_the_first_pairs_and_count_the_rest(parks: gpd.GeoDataFrame) -> None:
    _out, problems = run(_stacked(60), parks, max_overlap_rows=10)  # 1,770 pairs
    listed = only(problems, "plots_overlap")
    assert len(listed) == 10
    assert [(p.row, p.value) for p in listed[:2]] == [(2, "P001"), (2, "P002")]  # row order: stable
    (more,) = only(problems, "plots_overlap_more")
    assert more.message.startswith("1,760 more pair(s) of plots overlap and are not listed (1,770 in all")
    assert "另有 1,760 对地块重叠" in more.message_in("zh")


def test_pairs_beyond_the_measured_chunks_are_counted_by_their_interiors(parks: gpd.GeoDataFrame) -> None:
    """150 stacked plots: 11,175 pairs, more than one measured chunk, so the rest are counted cheaply."""
    _out, problems = run(_stacked(150), parks, max_overlap_rows=3)
    assert len(only(problems, "plots_overlap")) == 3
    (more,) = only(problems, "plots_overlap_many")
    assert "(up to 11,175 in all" in more.message and "至多 11,172 对" in more.message_in("zh")
    # Plots side by side share an edge, not an area: their extents do not count them.
    side_by_side = plots(
        {"地块编号": [f"Q{i}" for i in range(150)]}, [metric(i * 100, 0) for i in range(150)]
    )
    _out, problems = run(side_by_side, parks, max_overlap_rows=0)
    assert not only(problems, "plots_overlap_many") and not only(problems, "plots_overlap_more")


def test_a_clean_inventory_lists_every_overlap_and_no_summary(parks: gpd.GeoDataFrame) -> None:
    _out, problems = run(_stacked(5), parks, max_overlap_rows=10)
    assert len(only(problems, "plots_overlap")) == 10 and not only(problems, "plots_overlap_more")


def test_a_user_mapping_and_other_crs_are_honoured(parks: gpd.GeoDataFrame) -> None:
    frame = plots({"编号": ["1"], "地块编号": ["A1"]}, [metric(0, 0)]).to_crs(ANALYSIS_CRS)
    mapping = guess_mapping(["编号", "地块编号"]).with_overrides({"plot_id": "编号"})
    out, problems = run(frame, parks, mapping=mapping)
    assert out.crs.to_epsg() == 4326
    assert out["plot_id"].tolist() == ["1"]
    assert out["地块编号"].tolist() == ["A1"]
    assert problems == []
    with pytest.raises(CRSError, match="plot layer has no coordinate reference system"):
        normalise_plots(gpd.GeoDataFrame({"a": [1]}, geometry=[box(0, 0, 1, 1)]), parks=parks)


def test_an_empty_or_fully_dropped_layer_gives_an_empty_schema(parks: gpd.GeoDataFrame) -> None:
    out, problems = run(plots({"地块编号": ["A1"]}, [None]), parks)
    assert len(out) == 0 and list(out.columns) == [*OUTPUT_COLUMNS, "geometry"]
    assert [p.code for p in problems] == ["geometry_empty"]
    assert np.all(shapely.is_valid(out.geometry.to_numpy()))
