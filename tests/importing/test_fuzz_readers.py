"""Fuzzing every reader through ``zgc-geo validate``: any bytes get a clean exit 0, 1 or 2, never a traceback.

Hypothesis generates CSV text (any delimiter, line ends, encodings, cells such as NaN, Infinity,
1e308, formulas, control characters), GeoJSON with any numbers in its coordinates (NaN and ±Infinity
included, as JSON parsers accept them), and arbitrary bytes under every supported suffix. The runs
are derandomised, so the suite gives the same result on every machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zgc_geo.cli import command as cli

FUZZ = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
HEADERS = ("plot_id", "lon", "lat", "经度", "纬度", "area_m2", "far_current", "wkt", "x")
SPECIAL_CELLS = (
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "1e308",
    "-1e308",
    "=1+1",
    "＝SUM(A1)",
    "",
    " ",
    "0x1F",
)
cells = st.one_of(
    st.sampled_from(SPECIAL_CELLS),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)
coordinates = st.one_of(
    st.floats(min_value=115.0, max_value=118.0),
    st.floats(min_value=39.0, max_value=41.5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e308, 5e-324, 500_000.0, 39_500_000.0]),
)


def validate(name: str, data: bytes) -> tuple[int, str]:
    """``zgc-geo validate`` on a file ``name`` holding ``data``: exit code and everything printed."""
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory(prefix="zgc-fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        # As a user runs it: library warnings are printed, not raised (pytest turns them into errors).
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = cli.main(["validate", str(path)])
    return code, out.getvalue() + err.getvalue()


def assert_clean(code: int, text: str) -> None:
    assert code in (0, 1, 2), text
    assert "Traceback" not in text and "internal error" not in text, text


@pytest.mark.slow
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
    rows=st.lists(st.lists(cells, min_size=0, max_size=7), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|", "，"]),
    line_end=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
)  # fmt: skip
@FUZZ
def test_any_csv_gets_a_clean_answer(
    header: list[str], rows: list[list[str]], delimiter: str, line_end: str, encoding: str
) -> None:
    text = line_end.join(delimiter.join(row) for row in [header, *rows])
    assert_clean(*validate("地块.csv", text.encode(encoding, errors="replace")))


def _ring(points: list[tuple[float, float]]) -> list[list[float]]:
    return [[x, y] for x, y in [*points, points[0]]] if points else []


@pytest.mark.slow
@given(
    shapes=st.lists(
        st.tuples(
            st.sampled_from(["Point", "Polygon", "LineString", "MultiPolygon", None]),
            st.lists(st.tuples(coordinates, coordinates), min_size=0, max_size=5),
            st.dictionaries(
                st.sampled_from(["plot_id", "area_m2", "far_current", "name"]), cells, max_size=4
            ),
        ),
        max_size=5,
    )
)
@FUZZ
def test_any_geojson_numbers_get_a_clean_answer(shapes: list[tuple[str | None, list, dict]]) -> None:
    features = []
    for kind, points, properties in shapes:
        if kind == "Point":
            geometry = {"type": kind, "coordinates": list(points[0]) if points else []}
        elif kind == "LineString":
            geometry = {"type": kind, "coordinates": [list(p) for p in points]}
        elif kind == "Polygon":
            geometry = {"type": kind, "coordinates": [_ring(points)]}
        elif kind == "MultiPolygon":
            geometry = {"type": kind, "coordinates": [[_ring(points)]]}
        else:
            geometry = None
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)  # NaN allowed
    assert_clean(*validate("地块.geojson", text.encode()))


@pytest.mark.slow
@given(
    suffix=st.sampled_from(
        [".csv", ".txt", ".geojson", ".json", ".kml", ".kmz", ".zip", ".xlsx", ".gpkg", ".shp"]
    ),
    data=st.binary(max_size=2048),
)
@FUZZ
def test_any_bytes_under_any_suffix_get_a_clean_answer(suffix: str, data: bytes) -> None:
    assert_clean(*validate(f"upload{suffix}", data))
