"""The import report as the Data page shows it: every finding in zh and en, hints naming page controls.

Checked over the whole corpus of bad and awkward inputs, so a finding added later without a
translation, or with a page hint that names a command-line flag, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zgc_geo.errors import ZgcGeoError
from zgc_geo.i18n import Both, Sentence, strings
from zgc_geo.importing.crs_guess import crs_name
from zgc_geo.importing.pipeline import ImportOptions, import_file
from zgc_geo.importing.report import Problem, page_text, render
from zgc_geo.importing.report_export import report_bytes

from .corpus import CASES, Case, lonlat, plot_inventory, swapped_plots_geojson, write_geojson
from .test_corpus import cli_args, import_options

CJK = re.compile(r"[\u4e00-\u9fff]")
CLI_FLAG = re.compile(r"(?<![\w-])--[a-z]")


def _problems(case: Case, path: Path) -> list[Problem]:
    try:
        result = import_file(path, import_options(cli_args(case, path)))
    except ZgcGeoError:
        return []  # unreadable: an error message, not a report
    return result.report.problems


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_finding_has_page_texts_in_both_languages(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    for problem in _problems(case, case.build(tmp_path)):
        assert problem.text is not None, f"{problem.code} has no page text: {problem.message}"
        assert problem.text.key in strings(), problem.text.key
        zh, en = problem.message_in("zh"), problem.message_in("en")
        assert CJK.search(zh), f"{problem.code}: {zh}"
        assert zh != en
        if problem.hint:  # the CLI has advice: the page gives its own, not none
            assert problem.page_hint is not None, f"{problem.code} has a CLI hint only: {problem.hint}"
        for lang in ("zh", "en"):
            hint = problem.hint_on_page(lang)
            assert not CLI_FLAG.search(hint), f"{problem.code}: {hint}"
            assert not CLI_FLAG.search(problem.message_in(lang)), (
                f"{problem.code}: {problem.message_in(lang)}"
            )


@pytest.mark.parametrize("case", [c for c in CASES if c.verdict is None], ids=lambda c: c.name)
def test_an_unreadable_input_that_names_a_flag_has_a_page_text_instead(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    path = case.build(tmp_path)
    with pytest.raises(ZgcGeoError) as raised:
        import_file(path, import_options(cli_args(case, path)))
    page = page_text(raised.value)
    if CLI_FLAG.search(str(raised.value)):
        assert page is not None, str(raised.value)
    if page is not None:
        for lang in ("zh", "en"):
            shown = render(page.text, lang) + (render(page.page_hint, lang) if page.page_hint else "")
            assert not CLI_FLAG.search(shown), shown
        assert CJK.search(render(page.text, "zh"))


def test_swapped_axes_are_one_cause_and_the_swap_option_fixes_them(tmp_path: Path) -> None:
    path = swapped_plots_geojson(tmp_path)
    broken = import_file(path, ImportOptions(kind="plots"))
    assert [p.code for p in broken.report.errors] == ["axes_swapped"]  # not also 24 × geometry_zero_area
    cause = broken.report.errors[0]
    assert cause.rows == tuple(range(1, 25))
    assert cause.message_in("zh").startswith("24 个要素位于京津冀之外，但交换经纬度后落在京津冀之内")
    assert cause.hint_on_page("zh") == "点击上方“修正”中的“交换经纬度”重新读取"
    assert "Swap longitude and latitude" in cause.hint_on_page("en")
    fixed = import_file(path, ImportOptions(kind="plots", swap_axes=True))
    assert fixed.report.usable and fixed.frame is not None and len(fixed.frame) == 24
    assert "axes_swapped_on_request" in {p.code for p in fixed.report.problems}


@pytest.mark.parametrize(
    ("key", "zh", "en"),
    [
        (
            "EPSG:4548",
            "2000国家大地坐标系 3度带 117°E 无带号 (EPSG:4548)",
            "CGCS2000 3° GK CM 117E, no zone prefix (EPSG:4548)",
        ),
        (
            "EPSG:2415",
            "1954北京坐标系 3度带 第39带 含带号 (EPSG:2415)",
            "Beijing 1954 3° GK zone 39, with zone prefix (EPSG:2415)",
        ),
        ("gcj02", "高德、腾讯火星坐标", "GCJ-02 lon/lat, Amap/Tencent"),
        ("wgs84", "WGS84经纬度 (EPSG:4326)", "WGS 84 lon/lat, GPS (EPSG:4326)"),
        (
            "EPSG:32651",
            "WGS 84 / UTM zone 51N (EPSG:32651)",
            "WGS 84 / UTM zone 51N (EPSG:32651)",
        ),  # PROJ's name
        ("not a crs", "not a crs", "not a crs"),
    ],
)
def test_candidate_crs_are_named_with_the_code_as_detail(key: str, zh: str, en: str) -> None:
    assert crs_name(key, "zh") == zh
    assert crs_name(key, "en") == en


def test_crs_findings_carry_the_candidates_that_fix_them(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == "zone_prefix_in_some_rows")
    problems = _problems(case, case.build(tmp_path))
    prefix = next(p for p in problems if p.code == "zone_prefix")
    assert prefix.crs_keys == ("EPSG:4527",)
    assert prefix.rows == (1, 2, 3)
    assert "EPSG:4548" in prefix.message_in("zh") and "带号 39" in prefix.message_in("zh")
    # the rows the cause names are not reported again as empty geometries
    assert not [p for p in problems if p.code == "geometry_empty" and p.row in prefix.rows]


def test_values_worded_per_language_render_in_that_language() -> None:
    sentence = Sentence("import.problem.crs_used", {"crs": Both(zh="甲", en="A")})
    assert render(sentence, "zh") == "坐标按 甲 读取（文件自带的坐标系）"
    assert render(sentence, "en") == "Coordinates read as A (the file's own CRS)"


def test_the_page_downloads_say_what_the_page_says(tmp_path: Path) -> None:
    report = import_file(swapped_plots_geojson(tmp_path), ImportOptions(kind="plots")).report
    shown = report_bytes(report.as_shown("zh"), ".csv").decode("utf-8-sig")
    assert "经度和纬度写反了" in shown and "“交换经纬度”" in shown
    assert not CLI_FLAG.search(shown)
    cli = report_bytes(report, ".csv").decode("utf-8-sig")  # the command line's report keeps its flags
    assert "--swap-axes" in cli


def test_a_layer_of_points_is_worded_in_the_page_language_without_the_kind_code(tmp_path: Path) -> None:
    frame = lonlat(plot_inventory())
    points = write_geojson(frame.set_geometry(frame.geometry.representative_point()), tmp_path / "点.geojson")
    report = import_file(points, ImportOptions(kind="auto")).report
    chosen = next(p for p in report.problems if p.code == "kind_chosen")
    assert chosen.message_in("zh") == "按其他图层读取，而非地块清单：其中含有点几何（地块应为面）"
    assert (
        chosen.message_in("en")
        == "Read as a layer, not a plot inventory: it has point geometries (plots are polygons)"
    )
    assert chosen.value == "layer"  # the command line's report keeps it …
    assert (
        next(p for p in report.as_shown("zh").problems if p.code == "kind_chosen").value is None
    )  # … not the page


def test_a_findings_worded_values_are_in_the_sentences_language_however_it_is_worded() -> None:
    """A finding's sentence worded by the exports (``Sentence.text``, ``worded_frame``) reads as the page's
    ``render``: its kind of geometry in Chinese in a Chinese text (it once stayed in English there)."""
    kind = Both(zh="点", en="points")
    sentence = Sentence("import.problem.geometry_type", {"value": "Point", "kind": kind})
    assert sentence.text("zh") == render(sentence, "zh") and "导入的是点" in sentence.text("zh")
    assert sentence.text("en") == render(sentence, "en") and "you imported points" in sentence.text("en")
    assert f"{kind}" == "points"  # an English message formatted with it
