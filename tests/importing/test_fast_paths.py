"""The column-wide paths of the plot import give what the plain, cell-by-cell ones give.

Each fast path is pinned to a plain reference on small in-code fixtures full of edge cases: NaN,
None, empty and blank cells, Chinese, full-width and odd whitespace, huge and tiny floats, mixed
Python values; and the Arrow read of vector files to the plain pyogrio read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sys
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from zgc_geo import placement
from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.importing import datum_offset, readers
from zgc_geo.importing import plots as plots_module
from zgc_geo.importing.plots import _SEPARATORS, PY_WHITESPACE, _text, normalise_plots
from zgc_geo.importing.readers import read_vector


def plain_text(series: pd.Series, *, fold: bool = False) -> pd.Series:
    """The cell-by-cell rule :func:`_text` must keep (the implementation before the column-wide one)."""

    def one(value: object) -> str | None:
        if isinstance(value, float | np.floating) and float(value).is_integer():
            value = int(value)
        text = unicodedata.normalize("NFKC", str(value)) if fold else str(value)
        return text.strip() or None

    positions, uniques = pd.factorize(series, use_na_sentinel=True)
    values = np.array([None, *(one(u) for u in uniques)], dtype=object)[positions + 1]
    return pd.Series(values, index=series.index, dtype="string")


ODD_TEXT = [
    " A1 ", "A1", "海淀园", "  二号地 ", "\u3000三号\u2003", "ｆｕｌｌ１２", "１５.０", "x\x1c", "\x85y\xa0",
    "", "   ", "\u200b", "e\u0301", "ﾊﾝｶｸ", "２０１５年", None, "国有", "Ⅻ", "①",
]  # fmt: skip
FLOATS = [
    1.0, 1.5, -0.0, 0.1 + 0.2, 1e20, -1e20, 1.5e-7, 2.0**62, 2.0**63, 1e308, 123456.789, 2015.0,
    np.inf, -np.inf, np.nan, 1e16, 1e15 + 0.5, 5e-324,
]  # fmt: skip

SERIES = {
    "object text": pd.Series(ODD_TEXT, dtype=object),
    "str dtype": pd.Series(ODD_TEXT, dtype="str"),
    "string dtype": pd.Series(ODD_TEXT, dtype="string"),
    "float64": pd.Series(FLOATS),
    "float32": pd.Series(np.array([1.1, 2.0, np.nan, 3.25, 1e10], dtype=np.float32)),
    "int64": pd.Series([1, -2, 2015, 0, 2**62]),
    "Int64": pd.Series([1, None, 3], dtype="Int64"),
    "Float64": pd.Series([1.5, None, 3.0], dtype="Float64"),
    "bool": pd.Series([True, False, True]),
    "mixed cells": pd.Series(
        ["A1", 1.0, 2.5, 7, None, np.nan, pd.NA, True, dt.date(2015, 6, 1), pd.Timestamp("2016-01-01"), " "],
        dtype=object,
    ),
    "all missing": pd.Series([None, np.nan, None], dtype=object),
    "empty": pd.Series([], dtype=object),
    "dates": pd.Series(pd.to_datetime(["2015-06-01", None])),
    "indexed": pd.Series([" b ", None, "ａ"], index=[10, 3, 7]),
}


@pytest.mark.parametrize("fold", [False, True])
@pytest.mark.parametrize("name", list(SERIES))
def test_text_of_a_column_is_the_text_of_each_cell(name: str, fold: bool) -> None:
    series = SERIES[name]
    pd.testing.assert_series_equal(_text(series, fold=fold), plain_text(series, fold=fold), check_exact=True)


def test_many_random_floats_are_written_as_str_writes_them() -> None:
    rng = np.random.default_rng(14)
    values = rng.standard_normal(5_000) * 10.0 ** rng.integers(-30, 30, 5_000)
    values[::7] = np.round(values[::7])
    series = pd.Series(values)
    pd.testing.assert_series_equal(_text(series), plain_text(series), check_exact=True)


def test_the_whitespace_set_is_what_str_strip_and_regex_s_remove() -> None:
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert {c for c in every if c.isspace()} == set(PY_WHITESPACE)
    assert set(re.findall(r"\s", every)) == set(PY_WHITESPACE)
    sample = pd.Series(["1,234", " 1\u3000234 ", "1\xa0000", "12\x1c3", None, "ab c"], dtype="string")
    expected = sample.map(lambda v: re.sub(r"[,\s]", "", v), na_action="ignore")
    pd.testing.assert_series_equal(sample.str.replace(_SEPARATORS, "", regex=True), expected.astype("string"))


YEARS = ["2015", "2015年", "2015-06-01", "20150601", "43000", "２０１６", "bad", None, "2099", "1700"]


def _messy_plots() -> gpd.GeoDataFrame:
    """Plots around 海淀 with every kind of doubtful cell and geometry."""
    x0, y0 = 440_000.0, 4_430_000.0
    geoms = [box(x0 + 200 * i, y0, x0 + 200 * i + 100, y0 + 100) for i in range(12)]
    geoms[3] = shapely.Polygon([(x0, y0), (x0 + 50, y0 + 50), (x0 + 50, y0), (x0, y0 + 50)])  # bowtie
    geoms[5] = None
    geoms[7] = Point(x0, y0)
    geoms[9] = box(x0 + 200 * 8 + 50, y0, x0 + 200 * 8 + 150, y0 + 100)  # overlaps plot 8
    rest = ["15", "15"]
    columns = {
        "地块编号": [" A1 ", "A2", "A2", None, "", "A6", 7.0, "A8", "Ａ９", "A10", "A11", "A12"],
        "地块名称": ["一号地", "  二号地 ", None, "\u3000三号", "", "x", "y", "z", "w", "v", "u", "t"],
        "面积（亩）": ["15", "１５.０", "1,234", "abc", None, "  7 ", "1e400", "３００", "12亩", "", *rest],
        "容积率": ["0.8", "1.2", "２５", "-1", None, "x", "3", "1", "1", "1", "1", "1"],
        "规划容积率": [0.5, 1.0, np.nan, 30.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0],
        "闲置年份": [*YEARS, "2015", "2015"],
        "权属": ["国有", "集体", "国有集体", "state", "ＳＴＡＴＥ", "?", None, *["国有"] * 5],
        "园区": ["海淀园", "海淀", "Haidian Park", "nowhere", None, "大兴-亦庄园", *[None] * 6],
        "备注": ["  kept ", None, "=SUM(A1)", "", "a", "b", "c", "d", "e", "f", "g", "h"],
    }
    frame = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries(geoms, crs=ANALYSIS_CRS).to_crs(4326).to_numpy())
    return frame.set_crs(4326)


def test_the_plot_checks_give_the_plain_path_s_frame_and_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, fast_problems = normalise_plots(_messy_plots(), first_row_number=2)
    monkeypatch.setattr(plots_module, "_text", plain_text)
    plain, plain_problems = normalise_plots(_messy_plots(), first_row_number=2)
    assert [p.code for p in fast_problems] == [p.code for p in plain_problems]
    assert fast_problems == plain_problems
    pd.testing.assert_frame_equal(fast, plain, check_exact=True)
    codes = {p.code for p in fast_problems}
    assert {
        "geometry_repaired",
        "geometry_empty",
        "geometry_type",
        "plot_id_duplicate",
        "plot_id_empty",
    } <= codes
    assert {"value_not_numeric", "far_implausible", "idle_since_unparsable", "land_rights_unknown"} <= codes
    assert fast["plot_id"].tolist()[:3] == ["A1", "A2", "A2"]
    assert fast.loc[6, "plot_id"] == "7" and fast.loc[8, "plot_id"] == "Ａ９"  # ids keep full-width forms


def test_areas_are_measured_on_the_kept_outlines_in_metres() -> None:
    out, _ = normalise_plots(_messy_plots(), first_row_number=2)
    expected = out.geometry.to_crs(ANALYSIS_CRS).area.to_numpy()
    np.testing.assert_array_equal(out["area_m2"].to_numpy(), expected)


# --------------------------------------------------------------------------- the Arrow read


def _plain_read(monkeypatch: pytest.MonkeyPatch, path: Path, **options: str) -> object:
    with monkeypatch.context() as patch:
        patch.setattr(readers, "_arrow_reads_alike", lambda info, codec: False)
        return _outcome(path, **options)


def _outcome(path: Path, **options: str) -> object:
    """The frame and the rest of what was read, or the error's type and message."""
    try:
        result = read_vector(path, **options)  # type: ignore[arg-type]
    except Exception as exc:  # the error is the outcome compared
        return type(exc).__name__, str(exc)
    return result.frame, dataclasses.replace(result, frame=None)


def _same(fast: object, plain: object) -> None:
    if isinstance(fast, tuple) and isinstance(fast[0], gpd.GeoDataFrame):
        assert isinstance(plain, tuple)
        pd.testing.assert_frame_equal(fast[0], plain[0], check_exact=True)
        assert list(fast[0].geometry.to_wkb()) == list(plain[0].geometry.to_wkb())
        assert fast[1] == plain[1]
    else:
        assert fast == plain


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each read chose the Arrow path."""
    taken: list[bool] = []
    alike = readers._arrow_reads_alike

    def spying(info: dict, codec: str | None) -> bool:
        taken.append(alike(info, codec))
        return taken[-1]

    monkeypatch.setattr(readers, "_arrow_reads_alike", spying)
    return taken


def _layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "编号": ["A1", None, "海淀-3", ""],
            "empty": [None, None, None, None],
            "far": [1.5, np.nan, 2.0, 3.0],
            "n": pd.array([1, None, 3, 4], dtype="Int64"),
            "count": [1, 2, 3, 4],
        },
        geometry=[
            box(116.3, 39.9, 116.31, 39.91),
            box(116.32, 39.9, 116.33, 39.91),
            None,
            Point(116.3, 39.95),
        ],
        crs=4326,
    )


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp"])
@pytest.mark.parametrize("with_gaps", [False, True])
def test_the_arrow_read_gives_the_plain_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, with_gaps: bool
) -> None:
    frame = _layer() if with_gaps else _layer().iloc[:2].assign(empty=None)
    if suffix == ".shp":
        frame = frame[frame.geom_type.isin(["Polygon", None])]
    path = tmp_path / f"plots{suffix}"
    frame.to_file(path, engine="pyogrio", **({"encoding": "UTF-8"} if suffix == ".shp" else {}))
    taken = _spy(monkeypatch)
    fast = _outcome(path)
    assert taken == [True], "the Arrow read is tried on a clean UTF-8 layer"
    _same(fast, _plain_read(monkeypatch, path))


def test_a_gbk_shapefile_and_other_field_types_keep_the_plain_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gbk = tmp_path / "gbk.shp"
    _layer().iloc[:2].to_file(gbk, engine="pyogrio", encoding="GBK")
    typed = tmp_path / "typed.gpkg"
    flags = pd.array([True, None], dtype="boolean")
    _layer().iloc[:2].assign(flag=flags, day=pd.to_datetime(["2015-06-01", None])).to_file(
        typed, engine="pyogrio"
    )
    for path, options in ((gbk, {}), (gbk, {"encoding": "GBK"}), (typed, {})):
        taken = _spy(monkeypatch)
        fast = _outcome(path, **options)
        assert taken == [False]
        _same(fast, _plain_read(monkeypatch, path, **options))


@pytest.mark.parametrize(
    "body",
    [
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1},'
        b'"geometry":{"type":"Polygon","coordinates":[[1,2]]}},{"type":"Feature","properties":{"a":2},'
        b'"geometry":{"type":"Point","coordinates":[116,39]}}]}',
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"\xba\xa3\xb5\xed"},'
        b'"geometry":{"type":"Point","coordinates":[116.3,39.9]}}]}',
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1},"geometry":null}]}',
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1,"a":"x"},'
        b'"geometry":{"type":"Point","coordinates":[116,39]}}]}',
    ],
    ids=["geometry GDAL refuses", "not UTF-8", "no geometry", "duplicate property"],
)
def test_a_file_the_plain_read_refuses_or_doubts_reads_the_plain_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: bytes
) -> None:
    path = tmp_path / "odd.geojson"
    path.write_bytes(body)
    _same(_outcome(path), _plain_read(monkeypatch, path))


# --------------------------------------------------------------------------- the overlap check


def _tiled_plots(stacked: int = 0) -> gpd.GeoDataFrame:
    """A 12 × 12 grid of touching 50 m plots, some redrawn over their neighbours by various amounts.

    ``stacked`` more plots are drawn on one spot a kilometre away, every pair of them overlapping.
    """
    x0, y0 = 440_000.0, 4_430_000.0
    geoms = [
        box(x0 + 50 * i, y0 + 50 * j, x0 + 50 * i + 50, y0 + 50 * j + 50)
        for j in range(12)
        for i in range(12)
    ]
    for k, (dx, dy) in enumerate([(0.02, 0), (0.5, 0.5), (1.2, 1.2), (10, 0), (25, 25), (0, 0.01), (3, 40)]):
        at = 13 * (k + 1)
        geoms[at] = shapely.affinity.translate(geoms[at], dx, dy)
    geoms.append(box(x0 + 100, y0 + 100, x0 + 300, y0 + 300))  # drawn over sixteen plots
    geoms += [box(x0 + 1_000 + i / 10, y0, x0 + 1_100 + i / 10, y0 + 100) for i in range(stacked)]
    frame = gpd.GeoDataFrame(
        {"地块编号": [f"T{i}" for i in range(len(geoms))]},
        geometry=gpd.GeoSeries(geoms, crs=ANALYSIS_CRS).to_crs(4326).to_numpy(),
    )
    return frame.set_crs(4326)


@pytest.mark.parametrize("cap", [1_000, 5, 1])
def test_overlaps_measured_only_where_extents_allow_are_those_measured_everywhere(
    monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    fast = normalise_plots(_tiled_plots(), max_overlap_rows=cap)[1]
    with monkeypatch.context() as patch:
        patch.setattr(plots_module, "_EXTENT_SLACK", 1e18)  # every pair of the index measured
        patch.setattr(plots_module, "_QUERY_BLOCK", 5)  # neighbours looked up five rows at a time
        plain = normalise_plots(_tiled_plots(), max_overlap_rows=cap)[1]
    assert fast == plain
    listed = [
        (p.row, int(p.message.split("(row ")[2].split(")")[0])) for p in fast if p.code == "plots_overlap"
    ]
    assert listed == sorted(listed), "pairs are listed in row order"
    assert len(listed) == min(cap, 25)  # the shifts of 0.01, 0.02 and 0.5 m stay within a sliver
    more = [p for p in fast if p.code == "plots_overlap_more"]
    assert more[0].message.startswith(f"{25 - cap:,} more") if cap < 25 else not more, more


def test_overlaps_past_the_measured_ones_are_counted_the_same_in_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stacked = 150  # 11,175 overlapping pairs: more than one chunk of 10,000 is measured
    fast = normalise_plots(_tiled_plots(stacked), max_overlap_rows=1)[1]
    with monkeypatch.context() as patch:
        patch.setattr(plots_module, "_COUNTED_BLOCK", 7)
        patch.setattr(plots_module, "_QUERY_BLOCK", 3)
        plain = normalise_plots(_tiled_plots(stacked), max_overlap_rows=1)[1]
    assert fast == plain
    many = [p for p in fast if p.code == "plots_overlap_many"]
    assert len(many) == 1 and many[0].text.values["total"] == 25 + stacked * (stacked - 1) // 2


def test_numbers_already_read_as_numbers_are_those_read_from_their_text() -> None:
    x0, y0 = 440_000.0, 4_430_000.0
    geoms = [box(x0 + 200 * i, y0, x0 + 200 * i + 100, y0 + 100) for i in range(len(FLOATS))]
    rng = np.random.default_rng(5)
    columns = {
        "面积（亩）": FLOATS,
        "容积率": FLOATS[::-1],
        "规划容积率": rng.standard_normal(len(FLOATS)) * 10.0 ** rng.integers(-8, 8, len(FLOATS)),
        "建筑面积": [2**62, -(2**53) - 1, 0, 7, *range(len(FLOATS) - 4)],
    }
    numeric = gpd.GeoDataFrame(
        columns, geometry=gpd.GeoSeries(geoms, crs=ANALYSIS_CRS).to_crs(4326).to_numpy(), crs=4326
    )
    as_cells = numeric.astype(dict.fromkeys(columns, object))  # the same values, read from their text
    fast, fast_problems = normalise_plots(numeric, first_row_number=2)
    plain, plain_problems = normalise_plots(as_cells, first_row_number=2)
    assert fast_problems == plain_problems
    assert {p.code for p in fast_problems} >= {"far_implausible", "area_mismatch"}  # inf, 1e308 …
    pd.testing.assert_frame_equal(fast, plain, check_exact=True)


def plain_parks(plots: gpd.GeoSeries, parks: gpd.GeoDataFrame) -> pd.Series:
    """The park of each plot by a spatial join of representative points (the implementation before)."""
    points = gpd.GeoDataFrame(geometry=plots.representative_point())
    joined = gpd.sjoin(points, parks[["park_id", "geometry"]].to_crs(plots.crs), predicate="within")
    park = pd.Series(pd.NA, index=plots.index, dtype="string")
    found = joined.loc[~joined.index.duplicated(), "park_id"]
    park.loc[found.index] = found.astype("string")
    return park


@pytest.mark.parametrize("block", [placement.BLOCK, 4])
def test_plots_are_placed_in_the_first_park_holding_their_point_as_a_spatial_join_places_them(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(placement, "BLOCK", block)  # blocks of four plots: several blocks, on threads
    x0, y0 = 440_000.0, 4_430_000.0
    parks = gpd.GeoDataFrame(
        {"park_id": ["b", "a", "c", "none"], "name_zh": ["乙园", "甲园", "丙园", "无"]},
        geometry=[box(x0, y0, x0 + 1_000, y0 + 1_000), box(x0 + 500, y0, x0 + 2_000, y0 + 1_000),
                  box(x0 + 5_000, y0, x0 + 6_000, y0 + 1_000), None],
        crs=ANALYSIS_CRS,
    ).to_crs(4326)  # fmt: skip
    geoms = [box(x0 + 100 * i, y0 + 100, x0 + 100 * i + 50, y0 + 150) for i in range(30)]
    geoms += [box(x0 + 1_000 - 25, y0 - 25, x0 + 1_000 + 25, y0 + 25)]  # centred on two parks' corner
    plots = gpd.GeoSeries(geoms, crs=ANALYSIS_CRS).to_crs(4326)
    placed = placement.first_parks(plots.to_numpy(), parks.geometry.to_numpy(), parks["park_id"].to_numpy())
    fast = pd.Series(pd.array(placed, dtype="string"), index=plots.index)
    pd.testing.assert_series_equal(fast, plain_parks(plots, parks))
    assert fast.iloc[7] == "b" and fast.iloc[12] == "a" and fast.iloc[25] is pd.NA  # 5–10: in both, b first


def test_the_park_fit_of_the_web_datum_check_intersects_only_what_meets_the_parks() -> None:
    def plain_fit(geoms: np.ndarray, area: shapely.Geometry) -> tuple[np.ndarray, np.ndarray]:
        score = shapely.intersects(area, geoms).astype(float)
        polygonal = (shapely.get_dimensions(geoms) == 2) & (shapely.area(geoms) > 0)
        parts = geoms[polygonal]
        score[polygonal] = shapely.area(shapely.intersection(parts, area)) / shapely.area(parts)
        return score, shapely.distance(geoms, area)

    area = shapely.union_all([box(0, 0, 100, 100), box(150, 0, 250, 100)])
    geoms = np.array(
        [box(10, 10, 20, 20), box(90, 10, 160, 20), box(300, 0, 310, 10), box(100, 0, 150, 100), Point(5, 5),
         Point(500, 5), shapely.LineString([(0, 0), (1000, 0)]), box(5, 5, 5, 50), box(99.5, 0, 100, 0.5)],
        dtype=object,
    )  # fmt: skip
    fast = datum_offset._park_fit(geoms, area)
    plain = plain_fit(geoms, area)
    np.testing.assert_array_equal(fast[0], plain[0])
    np.testing.assert_array_equal(fast[1], plain[1])


@pytest.mark.parametrize("dtype", ["int64", "Int64", "int32"])
def test_whole_number_years_read_as_their_digits_would_be(dtype: str) -> None:
    """Years GDAL read as integers (no text column made) give the frame and problems of the same
    numbers read as text: in range, Excel serials, out of range, the future and missing cells."""
    years = [2015, 20150601, 43000, 1700, 2099, 2015, None if dtype == "Int64" else 2016, 201506]
    as_numbers = _messy_plots().iloc[: len(years)].copy()
    as_numbers["闲置年份"] = pd.array(years, dtype=dtype)
    as_text = as_numbers.copy()
    as_text["闲置年份"] = [None if pd.isna(y) else str(y) for y in as_numbers["闲置年份"]]
    numbers, number_problems = normalise_plots(as_numbers, first_row_number=2)
    text, text_problems = normalise_plots(as_text, first_row_number=2)
    pd.testing.assert_series_equal(numbers["idle_since"], text["idle_since"], check_exact=True)
    assert number_problems == text_problems
    codes = [p.code for p in number_problems]
    assert "idle_since_unparsable" in codes and "idle_since_future" in codes


def test_an_absent_numeric_column_is_empty_and_unreported() -> None:
    """A column the file lacks reads as NaN floats with no problem (the path skips its empty text)."""
    plots = _messy_plots().drop(columns=["规划容积率"])
    out, problems = normalise_plots(plots, first_row_number=2)
    assert out["far_permitted"].dtype == np.float64 and out["far_permitted"].isna().all()
    assert not any(p.field == "far_permitted" for p in problems)


def test_features_near_the_parks_are_those_within_reach_of_their_union() -> None:
    """The index lookup of the web-datum check finds the features the union's distance finds."""
    parks = gpd.read_file(Path(__file__).resolve().parents[2] / "parks.geojson").to_crs(ANALYSIS_CRS)
    outlines = parks.geometry.to_numpy()
    union = shapely.union_all(outlines)
    x0, y0, x1, y1 = union.bounds
    rng = np.random.default_rng(7)
    centres = rng.uniform([x0 - 8_000, y0 - 8_000], [x1 + 8_000, y1 + 8_000], size=(3_000, 2))
    geoms = shapely.buffer(shapely.points(centres), rng.uniform(5, 400, len(centres)), quad_segs=2)
    expected = shapely.dwithin(geoms, union, datum_offset.OFFSET_NEAR_M)
    assert 100 < expected.sum() < len(geoms) - 100  # both kinds present
    np.testing.assert_array_equal(datum_offset._near(geoms, outlines), expected)
