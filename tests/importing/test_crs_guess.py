"""CRS decisions: candidates from the numbers, explicit resolution to WGS84, diagnoses of misplaced data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS

from zgc_geo import datums
from zgc_geo.catalogue import load_layer
from zgc_geo.errors import CRSError, OptionError
from zgc_geo.importing.crs_guess import CrsCandidate, diagnose_location, resolve_crs, suggest_crs
from zgc_geo.importing.report import Problem

TABLE_BASIS = "spreadsheets carry no CRS"


@pytest.fixture(scope="module")
def parks() -> gpd.GeoDataFrame:
    return load_layer("parks")


@pytest.fixture(scope="module")
def park_points(parks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One point inside each of the 16 parks (WGS84)."""
    return gpd.GeoDataFrame(geometry=shapely.point_on_surface(parks.geometry.array), crs="EPSG:4326")


@pytest.fixture(scope="module")
def plot_points(parks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A 1 km grid of points inside the parks (≈330), like a plot list of a whole zone (WGS84)."""
    area = shapely.union_all(parks.to_crs("EPSG:4548").geometry.array)
    x0, y0, x1, y1 = area.bounds
    xs, ys = np.meshgrid(np.arange(x0, x1, 1000.0), np.arange(y0, y1, 1000.0))
    grid = shapely.points(xs.ravel(), ys.ravel())
    return gpd.GeoDataFrame(geometry=grid[shapely.contains(area, grid)], crs="EPSG:4548").to_crs("EPSG:4326")


def raw(frame: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """The numbers a file in ``crs`` would hold, with no CRS attached (as a spreadsheet gives them)."""
    return frame.to_crs(crs).set_crs(None, allow_override=True)


def shifted(frame: gpd.GeoDataFrame, shift: object) -> gpd.GeoDataFrame:
    out = frame.copy()
    out[out.geometry.name] = shapely.transform(frame.geometry.array, shift, interleaved=False)
    return out


def only(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


def metres_apart(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> np.ndarray:
    return shapely.distance(a.to_crs("EPSG:4548").geometry.array, b.to_crs("EPSG:4548").geometry.array)


# --------------------------------------------------------------------------- suggest_crs


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("EPSG:4326", ["EPSG:4326", "EPSG:4490", "gcj02", "bd09"]),
        ("EPSG:4548", ["EPSG:4548", "EPSG:2436", "EPSG:2384", "EPSG:32650"]),
        ("EPSG:4547", ["EPSG:4547", "EPSG:2435", "EPSG:2383"]),
        ("EPSG:4527", ["EPSG:4527", "EPSG:2415", "EPSG:2363"]),
        ("EPSG:4526", ["EPSG:4526", "EPSG:2414", "EPSG:2362"]),
        ("EPSG:3857", ["EPSG:3857"]),
    ],
)
def test_candidates_are_ranked_per_projection_family(
    park_points: gpd.GeoDataFrame, source: str, expected: list[str]
) -> None:
    candidates = suggest_crs(raw(park_points, source))
    assert [c.key for c in candidates[: len(expected)]] == expected
    assert candidates[0].reason.endswith("16 of 16 feature(s) land in Beijing–Tianjin–Hebei")


def test_zone_prefixed_eastings_never_suggest_the_unprefixed_crs(park_points: gpd.GeoDataFrame) -> None:
    keys = [c.key for c in suggest_crs(raw(park_points, "EPSG:4527"))]
    assert "EPSG:4548" not in keys and "EPSG:4326" not in keys


def test_candidate_labels_match_the_epsg_database(park_points: gpd.GeoDataFrame) -> None:
    # The Beijing 1954 / Xian 1980 codes were looked up in PROJ's database; pin them to their names.
    names = {
        "EPSG:2436": "Beijing 1954 / 3-degree Gauss-Kruger CM 117E",
        "EPSG:2415": "Beijing 1954 / 3-degree Gauss-Kruger zone 39",
        "EPSG:2384": "Xian 1980 / 3-degree Gauss-Kruger CM 117E",
        "EPSG:2363": "Xian 1980 / 3-degree Gauss-Kruger zone 39",
        "EPSG:4548": "CGCS2000 / 3-degree Gauss-Kruger CM 117E",
        "EPSG:4527": "CGCS2000 / 3-degree Gauss-Kruger zone 39",
    }
    for key, name in names.items():
        assert CRS.from_user_input(key).name == name
    labels = {c.key: c.label for c in suggest_crs(raw(park_points, "EPSG:4548"))}
    assert labels["EPSG:2436"].startswith("Beijing 1954 3° GK CM 117E, no zone prefix / 1954北京坐标系")
    assert labels["EPSG:2384"].startswith("Xian 1980 3° GK CM 117E, no zone prefix / 1980西安坐标系")
    assert str(CrsCandidate("gcj02", "GCJ-02", "r")) == "--crs gcj02 (GCJ-02)"


def test_no_geometry_no_candidates() -> None:
    assert suggest_crs(gpd.GeoDataFrame(geometry=[None, shapely.Point()])) == []


# --------------------------------------------------------------------------- resolve_crs


def test_missing_crs_is_an_error_listing_the_best_candidates(park_points: gpd.GeoDataFrame) -> None:
    frame = raw(park_points, "EPSG:4548")
    out, problems = resolve_crs(frame, None, TABLE_BASIS)
    assert out is frame and out.crs is None
    missing = only(problems, "crs_missing")
    assert missing.severity == "error"
    assert (
        missing.message
        == "no coordinate reference system (spreadsheets carry no CRS); the positions are unknown"
    )
    assert missing.hint.startswith("pass --crs EPSG:4548 (CGCS2000 3° GK CM 117E, no zone prefix")
    assert "; or --crs EPSG:2436 (Beijing 1954" in missing.hint


def test_declared_projected_crs_comes_back_in_wgs84(park_points: gpd.GeoDataFrame) -> None:
    out, problems = resolve_crs(raw(park_points, "EPSG:4548"), "EPSG:4548", TABLE_BASIS)
    assert out.crs.to_epsg() == 4326
    assert metres_apart(out, park_points).max() < 0.5
    assert only(problems, "crs_used").message == (
        "coordinates read as EPSG:4548 (CGCS2000 / 3-degree Gauss-Kruger CM 117E) "
        "(given with --crs EPSG:4548)"
    )


def test_file_crs_is_used_and_an_override_warned(park_points: gpd.GeoDataFrame) -> None:
    in_file = park_points.to_crs("EPSG:4548")
    out, problems = resolve_crs(in_file, None, ".prj file")
    assert [p.code for p in problems] == ["crs_used"]
    assert "(.prj file)" in problems[0].message
    assert metres_apart(out, park_points).max() < 0.5
    out, problems = resolve_crs(in_file, "EPSG:4527", ".prj file")
    overridden = only(problems, "crs_overridden")
    assert overridden.severity == "warning"
    assert overridden.message.startswith(
        "the file declares EPSG:4548 (CGCS2000 / 3-degree Gauss-Kruger CM 117E)"
    )
    assert "but --crs EPSG:4527 was given" in overridden.message
    assert overridden.hint == "drop --crs to use the file's own CRS"


@pytest.mark.parametrize(
    ("datum", "to_datum"), [("gcj02", datums.wgs84_to_gcj02), ("bd09", datums.wgs84_to_bd09)]
)
def test_web_datums_are_accepted_as_crs_and_converted(
    park_points: gpd.GeoDataFrame, datum: str, to_datum: object
) -> None:
    web = shifted(park_points, to_datum).set_crs(None, allow_override=True)
    assert metres_apart(web.set_crs("EPSG:4326"), park_points).min() > 300
    out, problems = resolve_crs(web, datum.upper().replace("0", "-0"), TABLE_BASIS)
    assert out.crs.to_epsg() == 4326
    assert metres_apart(out, park_points).max() < 0.5
    converted = only(problems, "datum_converted")
    assert converted.severity == "info"
    assert converted.message.startswith(f"coordinates converted from {datum.upper()[:-2]}-0")
    assert "lon/lat" in only(problems, "crs_used").message


def test_a_bad_crs_string_lists_valid_examples(park_points: gpd.GeoDataFrame) -> None:
    for bad in ("EPSG:99999", "utm50", "CGCS2000 GK 117"):
        with pytest.raises(
            OptionError, match=r"is not a CRS PROJ understands; use e.g. EPSG:4548 .* gcj02, bd09"
        ):
            resolve_crs(park_points, bad, TABLE_BASIS)
    with pytest.raises(OptionError, match="is not a horizontal CRS"):
        resolve_crs(park_points, "EPSG:5773", TABLE_BASIS)


@pytest.mark.parametrize("source", ["EPSG:2436", "EPSG:2384", "EPSG:2415"])
def test_beijing54_and_xian80_get_a_datum_shift_note(park_points: gpd.GeoDataFrame, source: str) -> None:
    _, problems = resolve_crs(raw(park_points, source), source, TABLE_BASIS)
    note = only(problems, "datum_shift_approximate")
    assert note.severity == "info"
    assert "datum transformation for this area and ignores the datum shift" in note.message
    _, problems = resolve_crs(raw(park_points, "EPSG:4548"), "EPSG:4548", TABLE_BASIS)
    assert "datum_shift_approximate" not in [p.code for p in problems]


@pytest.mark.parametrize(
    ("numbers", "declared", "fault", "fix"),
    [
        ("EPSG:4548", "EPSG:4527", "lack the zone prefix 39 that EPSG:4527 expects", "EPSG:4548"),
        ("EPSG:4527", "EPSG:4548", "carry a zone prefix (39…) that EPSG:4548 does not expect", "EPSG:4527"),
        ("EPSG:2436", "EPSG:2415", "lack the zone prefix 39 that EPSG:2415 expects", "EPSG:2436"),
    ],
)
def test_zone_prefix_mistakes_are_diagnosed(
    park_points: gpd.GeoDataFrame, numbers: str, declared: str, fault: str, fix: str
) -> None:
    _, problems = resolve_crs(raw(park_points, numbers), declared, TABLE_BASIS, first_row_number=2)
    error = only(problems, "zone_prefix")
    assert error.severity == "error"
    assert error.message.startswith(
        f"16 feature(s) cannot be placed: their eastings {fault} (rows 2, 3, 4, 5, 6 …"
    )
    assert error.hint.startswith(f"re-import with --crs {fix} (")


def test_numbers_that_do_not_fit_the_crs_at_all(park_points: gpd.GeoDataFrame) -> None:
    # Zone-39 eastings read as CM 114E: neither 4547 nor its prefixed twin (zone 38) can place them.
    _, problems = resolve_crs(raw(park_points, "EPSG:4527"), "EPSG:4547", TABLE_BASIS)
    error = only(problems, "crs_mismatch")
    assert error.message.startswith(
        "16 feature(s) cannot be transformed from EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E): "
        "the numbers do not fit that CRS"
    )
    assert error.hint.startswith("re-import with --crs EPSG:4527 (CGCS2000 3° GK zone 39, with zone prefix")


# --------------------------------------------------------------------------- diagnose_location


def test_correct_data_has_nothing_to_diagnose(plot_points: gpd.GeoDataFrame, parks: gpd.GeoDataFrame) -> None:
    assert diagnose_location(plot_points, parks) == []
    assert diagnose_location(parks, parks) == []


def test_swapped_lon_lat_is_one_counted_error(plot_points: gpd.GeoDataFrame, parks: gpd.GeoDataFrame) -> None:
    lat_lon = shifted(plot_points, lambda x, y: (y, x))
    problems = diagnose_location(lat_lon, parks, first_row_number=2)
    assert [p.code for p in problems] == ["axes_swapped"]
    assert problems[0].message.startswith(
        f"{len(plot_points)} feature(s) lie outside Beijing–Tianjin–Hebei but inside it with longitude and "
        "latitude swapped (rows 2, 3, 4, 5, 6 …"
    )
    assert problems[0].hint.startswith("swap the columns, or re-import with --swap-axes")


@pytest.mark.parametrize(("numbers", "best"), [("EPSG:4548", "EPSG:4548"), ("EPSG:4527", "EPSG:4527")])
def test_metres_declared_as_degrees(
    park_points: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, numbers: str, best: str
) -> None:
    as_degrees = raw(park_points, numbers).set_crs("EPSG:4326")
    problems = diagnose_location(as_degrees, parks)
    error = only(problems, "metres_as_degrees")
    assert "16 feature(s) have coordinates far beyond ±180°/±90°: they are metres" in error.message
    assert error.hint.startswith(f"re-import with --crs {best} (")


def test_data_elsewhere_is_a_warning(parks: gpd.GeoDataFrame) -> None:
    shanghai = gpd.GeoDataFrame(geometry=shapely.points([121.47, 121.5], [31.23, 31.2]), crs="EPSG:4326")
    warning = only(diagnose_location(shanghai, parks), "outside_region")
    assert warning.severity == "warning"
    assert warning.message.startswith("2 feature(s) lie outside Beijing–Tianjin–Hebei (lon 113.4–119.9")


@pytest.mark.parametrize(
    ("to_datum", "code", "fix"),
    [
        (datums.wgs84_to_gcj02, "gcj02_offset", "--crs gcj02"),
        (datums.wgs84_to_bd09, "bd09_offset", "--crs bd09"),
    ],
)
def test_web_datum_offset_is_detected_on_points_and_polygons(
    plot_points: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, to_datum: object, code: str, fix: str
) -> None:
    polygons = plot_points.to_crs("EPSG:4548").buffer(150).to_crs("EPSG:4326").to_frame("geometry")
    for frame in (plot_points, polygons, parks):
        web = shifted(frame, to_datum)
        problems = diagnose_location(web, parks)
        warning = only(problems, code)
        assert [p.code for p in problems] == [code]
        assert warning.severity == "warning"
        assert warning.message.startswith("coordinates look like")
        assert "not WGS84" in warning.message
        assert warning.hint.endswith(f"re-import with {fix} (not converted)")
        assert shapely.equals(web.geometry.array, shifted(frame, to_datum).geometry.array).all()  # untouched


def test_web_datum_check_survives_invalid_polygons(
    plot_points: gpd.GeoDataFrame, parks: gpd.GeoDataFrame
) -> None:
    # A bowtie used to make the park overlay raise a GEOS TopologyException (an internal error).
    polygons = plot_points.to_crs("EPSG:4548").buffer(150).to_crs("EPSG:4326")
    x0, y0, x1, y1 = polygons.iloc[0].bounds
    polygons.iloc[0] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    assert not polygons.iloc[0].is_valid
    web = shifted(polygons.to_frame("geometry"), datums.wgs84_to_gcj02)
    assert [p.code for p in diagnose_location(web, parks)] == ["gcj02_offset"]
    assert diagnose_location(polygons.to_frame("geometry"), parks) == []


def test_web_datum_check_does_not_fire_on_correct_data_unrelated_to_parks(parks: gpd.GeoDataFrame) -> None:
    # Points scattered around the parks (inside and out) move in and out of parks alike when "corrected".
    rng = np.random.default_rng(7)
    area = shapely.buffer(shapely.union_all(parks.to_crs("EPSG:4548").geometry.array), 3000)
    x0, y0, x1, y1 = area.bounds
    for _ in range(20):
        points = shapely.points(rng.uniform(x0, x1, 600), rng.uniform(y0, y1, 600))
        points = points[shapely.contains(area, points)][:60]
        frame = gpd.GeoDataFrame(geometry=points, crs="EPSG:4548").to_crs("EPSG:4326")
        assert diagnose_location(frame, parks) == []


def test_web_datum_check_needs_enough_features(
    park_points: gpd.GeoDataFrame, parks: gpd.GeoDataFrame
) -> None:
    few = shifted(park_points.iloc[:9], datums.wgs84_to_bd09)
    assert diagnose_location(few, parks) == []


def test_default_parks_are_the_shipped_layer(plot_points: gpd.GeoDataFrame) -> None:
    assert [p.code for p in diagnose_location(shifted(plot_points, datums.wgs84_to_gcj02))] == [
        "gcj02_offset"
    ]


def test_projected_frames_are_refused(park_points: gpd.GeoDataFrame) -> None:
    with pytest.raises(CRSError, match=r"diagnose_location needs lon/lat \(EPSG:4326\)"):
        diagnose_location(park_points.to_crs("EPSG:4548"))
