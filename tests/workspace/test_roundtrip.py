"""The GeoPackage workspace's fast paths give what the plain ones did.

Loading an inventory right after saving it takes the plots from the saved frame
(:mod:`zgc_geo.workspace.roundtrip`) instead of reading them; saving converts and inserts the rows
chunk by chunk. Both are pinned here to the plain paths on small frames with the awkward cells:
Chinese text, NaN, -0.0, infinities, missing values of every kind, dates, multipolygons.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.postgis_server import PostgisDatabase
from zgc_geo import settings
from zgc_geo.workspace import (
    DECISION_COLUMNS,
    GeoPackageStore,
    PlotFilter,
    gpkg_format,
    open_workspace,
    roundtrip,
)
from zgc_geo.workspace.decisions import DECISION_SQL, with_decisions

USER = "王工"


@pytest.fixture(autouse=True)
def created_by_wang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.USER_ENV, USER)


def awkward_plots(n: int = 7) -> gpd.GeoDataFrame:
    """Plots whose every column type comes back from SQLite unchanged (the fast path's domain)."""
    x = 116.30 + np.arange(n) * 1e-3 + 1.23456789e-5
    geoms = list(shapely.box(x, 39.98, x + 5e-4, 39.9804))
    geoms[1] = shapely.MultiPolygon([geoms[1], shapely.box(x[0], 39.97, x[0] + 1e-4, 39.9701)])
    geoms[2] = None
    geoms[3] = shapely.Polygon()
    floats = np.array([1.5, np.nan, -0.0, np.inf, -np.inf, 1e300, 5e-324, 0.1, 2.0])[:n]
    data = {
        "plot_id": pd.array([f"地块-{i}" for i in range(n)], dtype="string"),
        "name": pd.array(
            ["中关村“软件园”", None, "", "a\x00b", "永丰'基地", " 空格 ", "🏭"][:n], dtype="string"
        ),
        "area_m2": floats,
        "ratio": np.array([0.25, np.nan, -0.0, np.inf, 3e38, -1.5, 1e-45, 0.1, 2.0][:n], dtype="float32"),
        "idle_since": pd.array([2015, None, -(2**63), 2**63 - 1, 0, 1, 2][:n], dtype="Int64"),
        "count": np.arange(n, dtype="int32") - 3,
        "small": np.arange(n, dtype="uint8"),
        "in_core_zone": np.arange(n) % 2 == 0,
        "checked": pd.array([True, None, False, True, None, False, True][:n], dtype="boolean"),
        '备注 "原文"': pd.array(["地上建筑拟拆除"] * n, dtype="string"),
    }
    index = pd.Index(np.arange(n) * 10 + 5)  # not 0…n-1: a load always is
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326", index=index)


def fallback_cases() -> dict[str, gpd.GeoDataFrame]:
    """Frames the fast path must hand to a real read: each has one column or geometry it cannot vouch for."""
    plots = awkward_plots()
    dates = pd.Series(pd.to_datetime(["2024-01-02 03:04:05.678912"] * 7), index=plots.index)
    return {
        "naive dates": plots.assign(seen=dates),
        "zoned dates": plots.assign(seen=dates.dt.tz_localize("Asia/Shanghai")),
        "objects": plots.assign(
            extra=pd.Series([1, "二", 3.5, None, [1, 2], {"a": "乙"}, True], index=plots.index, dtype=object)
        ),
        "category": plots.assign(kind=pd.Series(["b", "a"] * 3 + ["c"], index=plots.index, dtype="category")),
        "python strings": plots.assign(name=plots["name"].astype("string[python]")),
        "points": plots.set_geometry(shapely.points(np.arange(7.0), np.arange(7.0)), crs="EPSG:4326"),
        "3D": plots.set_geometry(shapely.force_3d(plots.geometry.to_numpy(), 5.0), crs="EPSG:4326"),
    }


FALLBACK_CASES = tuple(fallback_cases())


def save(path: Path, plots: gpd.GeoDataFrame, name: str = "haidian") -> GeoPackageStore:
    store = GeoPackageStore(path)
    store.save_inventory(name, plots, title="海淀", source="test", user=USER, replace=True)
    return store


def assert_same(fast: gpd.GeoDataFrame, read: gpd.GeoDataFrame) -> None:
    """Equal to the last bit: dtypes, index, values, the sign of zeros, the geometries' WKB."""
    pd.testing.assert_frame_equal(fast, read, check_exact=True)
    assert list(fast.columns) == list(read.columns) and fast.geometry.name == read.geometry.name
    for column in read.columns:
        if isinstance(read[column].dtype, np.dtype) and read[column].dtype.kind == "f":
            assert (np.signbit(fast[column].to_numpy()) == np.signbit(read[column].to_numpy())).all(), column
    assert fast.crs == read.crs
    wkb = shapely.to_wkb(fast.geometry.to_numpy(), flavor="iso")
    assert wkb.tolist() == shapely.to_wkb(read.geometry.to_numpy(), flavor="iso").tolist()


def read_counter(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the inventories read from the file from now on."""
    reads: list[str] = []
    read = gpkg_format.read_features

    def counted(conn: sqlite3.Connection, name: str, *args: object, **kwargs: object) -> gpd.GeoDataFrame:
        reads.append(name)
        return read(conn, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gpkg_format, "read_features", counted)
    return reads


def test_a_load_after_a_save_is_the_read_it_replaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plots = awkward_plots()
    store = save(tmp_path / "w.gpkg", plots)
    reads = read_counter(monkeypatch)
    fast = store.load_inventory("haidian")
    assert reads == []  # the fast path was taken
    read = GeoPackageStore(store.path).load_inventory("haidian")
    assert reads == ["haidian"]
    assert_same(fast, read)
    assert np.signbit(read["area_m2"].to_numpy()[2]) == np.False_  # SQLite's -0.0 → 0.0, matched
    assert read.geometry.iloc[2] is None and read.geometry.iloc[3].is_empty
    assert store.load_inventory("haidian").equals(read) and reads == ["haidian"] * 2  # only once


@pytest.mark.parametrize("case", FALLBACK_CASES)
def test_columns_the_fast_path_cannot_vouch_for_are_read(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plots = fallback_cases()[case]
    store = save(tmp_path / "w.gpkg", plots)
    features = gpkg_format.prepare_features(plots)
    dtypes = {column: dtype for column, _, dtype in features.columns}
    assert roundtrip.stored_frame(features.data, dtypes, features.geometries) is None
    reads = read_counter(monkeypatch)
    assert_same(store.load_inventory("haidian"), GeoPackageStore(store.path).load_inventory("haidian"))
    assert reads == ["haidian", "haidian"]


def test_a_write_after_the_save_makes_the_load_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another session's replace (or decision) between the save and the load is what the load shows."""
    plots = awkward_plots()
    store = save(tmp_path / "w.gpkg", plots)
    other = plots.iloc[:4].assign(name=pd.array(["替换后"] * 4, dtype="string"))
    save(store.path, other)  # another store object: another session
    reads = read_counter(monkeypatch)
    loaded = store.load_inventory("haidian")
    assert reads == ["haidian"] and loaded["name"].tolist() == ["替换后"] * 4

    store = save(store.path, plots)
    GeoPackageStore(store.path).record_decision(
        "haidian", "地块-0", {"review_status": "recommended"}, expected_version=0, user=USER
    )
    loaded = store.load_inventory("haidian")
    assert reads == ["haidian", "haidian"] and loaded["review_status"].iloc[0] == "recommended"
    assert_same(loaded, GeoPackageStore(store.path).load_inventory("haidian"))


def test_a_filtered_load_or_another_inventory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = save(tmp_path / "w.gpkg", awkward_plots())
    reads = read_counter(monkeypatch)
    filtered = store.load_inventory("haidian", PlotFilter(park_ids=None))
    assert reads == ["haidian"]
    assert_same(filtered, GeoPackageStore(store.path).load_inventory("haidian"))
    store.save_inventory("chaoyang", awkward_plots(), title="朝阳", source="t", user=USER)
    store.load_inventory("haidian")
    assert reads == ["haidian"] * 3


def test_changing_the_loaded_frame_leaves_the_saved_one_alone(tmp_path: Path) -> None:
    plots = awkward_plots()
    before = plots.copy()
    loaded = save(tmp_path / "w.gpkg", plots).load_inventory("haidian")
    loaded.loc[loaded.index[0], ["area_m2", "name"]] = [-1.0, "改"]
    loaded.loc[loaded.index[0], "geometry"] = shapely.Point(0, 0)
    loaded["idle_since"] += 1
    loaded["checked"].array[0] = False  # in place, past copy-on-write
    loaded["small"].array[1] = 0
    loaded.geometry.values[1] = shapely.Point(1, 1)
    pd.testing.assert_frame_equal(plots, before, check_exact=True)
    features = gpkg_format.prepare_features(plots)
    dtypes = {column: dtype for column, _, dtype in features.columns}
    fast = roundtrip.stored_frame(features.data, dtypes, features.geometries)
    assert fast is not None
    fast["checked"].array[0] = False  # the frame itself, before the decisions are joined
    fast["idle_since"].array[0] = 1
    fast.geometry.values[1] = shapely.Point(1, 1)
    pd.testing.assert_frame_equal(plots, before, check_exact=True)


def stored_rows(path: Path, name: str = "haidian") -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT * FROM plots__{name} ORDER BY fid").fetchall()


@pytest.mark.parametrize("case", ["awkward", *FALLBACK_CASES])
def test_rows_inserted_in_chunks_are_the_rows_inserted_at_once(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plots = awkward_plots() if case == "awkward" else fallback_cases()[case]
    save(tmp_path / "whole.gpkg", plots)
    monkeypatch.setattr(gpkg_format, "CHUNK_ROWS", 3)  # 7 rows: chunks of 3, 3 and 1
    save(tmp_path / "chunked.gpkg", plots)
    whole, chunked = stored_rows(tmp_path / "whole.gpkg"), stored_rows(tmp_path / "chunked.gpkg")
    assert len(whole) == 7 and chunked == whole
    features = gpkg_format.prepare_features(plots)
    assert [row[1:] for row in features.rows()] == list(features.cells())


def test_a_replace_in_chunks_keeps_the_decisions_of_plots_still_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gpkg_format, "CHUNK_ROWS", 2)
    plots = awkward_plots()
    store = save(tmp_path / "w.gpkg", plots)
    for plot_id in ("地块-1", "地块-6"):
        store.record_decision("haidian", plot_id, {"review_status": "deferred", "note": "待定"},
                              expected_version=0, user=USER)  # fmt: skip
    store.save_inventory("haidian", plots.iloc[:5], title="海淀", source="v2", user=USER, replace=True)
    loaded = store.load_inventory("haidian")
    assert_same(loaded, GeoPackageStore(store.path).load_inventory("haidian"))
    assert loaded["plot_id"].tolist() == [f"地块-{i}" for i in range(5)]
    assert loaded.set_index("plot_id")["review_status"].to_dict() == {
        "地块-0": "unreviewed", "地块-1": "deferred", "地块-2": "unreviewed", "地块-3": "unreviewed",
        "地块-4": "unreviewed",
    }  # fmt: skip
    assert loaded["decision_version"].tolist() == [0, 1, 0, 0, 0]
    note = store.audit_log("haidian").iloc[-1]["note"]
    assert "kept the decisions of 1 plot(s); 1 orphaned" in note and "地块-6" in note


def plain_read(path: Path, name: str = "haidian") -> gpd.GeoDataFrame:
    """The feature table read as zgc-geo read it before reads went by chunks: all rows, then columns."""
    with sqlite3.connect(path) as conn:
        schema = json.loads(
            conn.execute("SELECT columns FROM zgc_inventories WHERE name = ?", (name,)).fetchone()[0]
        )
        names = ", ".join(gpkg_format.quote(column) for column in schema)
        rows = conn.execute(
            f"SELECT {gpkg_format.WKB_SQL}, {names} FROM plots__{name} ORDER BY fid"
        ).fetchall()
    cells = list(zip(*rows, strict=True))
    frame = pd.DataFrame(
        {
            column: roundtrip.series_from_cells(values, dtype)
            for (column, dtype), values in zip(schema.items(), cells[1:], strict=True)
        }
    )
    geometry = shapely.from_wkb(np.array(cells[0], dtype=object))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs="EPSG:4326"))


@pytest.mark.parametrize("case", ["awkward", *FALLBACK_CASES])
def test_a_read_in_chunks_is_the_read_at_once(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plots = awkward_plots() if case == "awkward" else fallback_cases()[case]
    path = save(tmp_path / "w.gpkg", plots).path
    whole = GeoPackageStore(path).load_inventory("haidian")
    assert_same(whole.drop(columns=list(DECISION_COLUMNS)), plain_read(path))
    monkeypatch.setattr(gpkg_format, "CHUNK_ROWS", 3)
    assert_same(GeoPackageStore(path).load_inventory("haidian"), whole)
    park = PlotFilter(park_ids=())
    assert len(GeoPackageStore(path).load_inventory("haidian", park)) == 0


def test_a_column_pandas_refuses_in_one_chunk_is_read_whole_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cell edited outside zgc-geo (text in an Int64 column) makes that column object, all of it."""
    path = save(tmp_path / "w.gpkg", awkward_plots()).path
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE plots__haidian SET idle_since = '二〇一五', area_m2 = 'x' WHERE fid = 6")
        cells = conn.execute("SELECT idle_since, area_m2 FROM plots__haidian ORDER BY fid").fetchall()
    monkeypatch.setattr(gpkg_format, "CHUNK_ROWS", 3)  # the bad cell is in the second chunk
    loaded = GeoPackageStore(path).load_inventory("haidian")
    for position, column in enumerate(("idle_since", "area_m2")):
        expected = pd.Series([row[position] for row in cells], dtype=object, name=column)
        pd.testing.assert_series_equal(loaded[column], expected, check_exact=True)
    assert loaded["name"].dtype == "string" and loaded["ratio"].dtype == "float32"


def joined_as_before(plots: gpd.GeoDataFrame, decided: list[tuple[object, ...]]) -> gpd.GeoDataFrame:
    """with_decisions as it was: every plot id as a Python string, reindexed against the decisions."""
    decisions = pd.DataFrame(decided, columns=["plot_id", *DECISION_SQL.split(", ")], dtype=object)
    decisions = decisions.set_index("plot_id").reindex(plots["plot_id"].to_numpy())
    decisions["review_status"] = decisions["review_status"].fillna("unreviewed")
    plots = plots.copy()
    geometry = plots.pop(plots.geometry.name)
    sources = ("review_status", "note", "mode", "version", "updated_by", "updated_at")
    for column, source in zip(DECISION_COLUMNS, sources, strict=True):
        cells = decisions[source].to_numpy()
        if source == "version":
            plots[column] = np.where(pd.isna(cells), 0, cells).astype("int64")
        else:
            plots[column] = pd.array(cells, dtype="string")
    return gpd.GeoDataFrame(plots, geometry=geometry)


@pytest.mark.parametrize("ids", ["unique", "repeated and missing (a file edited by hand)", "none"])
def test_decisions_are_joined_as_before(ids: str) -> None:
    plots = awkward_plots().reset_index(drop=True)
    if ids != "unique":
        plots["plot_id"] = pd.array(["地块-1", None, "地块-1", "地块-3", "x", "地块-9", None], dtype="string")
    decided = [
        ("地块-1", "deferred", "待定 “原因”", None, 3, "2026-01-01T00:00:00.000Z", "王工"),
        ("地块-3", "recommended", None, "拆除重建", 1, "2026-01-02T00:00:00.000Z", "李工"),
        ("地块-99", "not_suitable", "孤儿", None, 2, "2026-01-03T00:00:00.000Z", "王工"),  # orphaned
    ]
    if ids == "none":
        decided = []
    joined = with_decisions(plots, decided)
    pd.testing.assert_frame_equal(joined, joined_as_before(plots, decided), check_exact=True)
    assert len(plots.columns) == 11  # the caller's frame is left as it was


def test_a_postgis_read_in_chunks_is_the_read_at_once(
    postgis_db: PostgisDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    plots = awkward_plots()
    plots["name"] = plots["name"].str.replace("\x00", "", regex=False)  # PostgreSQL text holds no NUL
    plots = plots.set_geometry(
        [
            g if g is not None and not g.is_empty else shapely.box(116, 39, 116.001, 39.001)
            for g in plots.geometry
        ],
        crs="EPSG:4326",
    )
    open_workspace(postgis_db.admin_url).init()
    store = open_workspace(postgis_db.admin_url)
    store.save_inventory("haidian", plots, title="海淀", source="test", user=USER)
    whole = store.load_inventory("haidian")
    monkeypatch.setattr(gpkg_format, "CHUNK_ROWS", 3)
    assert_same(store.load_inventory("haidian"), whole)
    assert (
        whole["name"].fillna("—").tolist()[:3] == ["中关村“软件园”", "—", ""]
        and whole["checked"].dtype == "boolean"
    )
