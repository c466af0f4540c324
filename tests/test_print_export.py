"""Map export: standalone HTML that opens offline, and PNG/PDF printed by headless Chromium.

The browser-marked tests launch Debian's Chromium (``/usr/bin/chromium`` or ``$ZGC_CHROMIUM``) and
read the PDFs with poppler-utils (``pdfinfo``, ``pdffonts``, ``pdftotext``); both are installed by
``.ci/run``. A missing tool fails the test with the install command rather than skipping it.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
from html import unescape as html_unescape
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from folium.map import FitBounds
from PIL import Image
from playwright.sync_api import sync_playwright
from pyproj import Geod
from scipy import ndimage

from tests.export_checks import only_local_files, poppler
from tests.map_page import legend_html
from zgc_geo.cli import main
from zgc_geo.coverage.bth import core_point, zone_distances
from zgc_geo.coverage.spatial import reach, uncovered
from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.errors import OptionError, PrintError
from zgc_geo.export.printing import (
    CHROMIUM_ARGS,
    CHROMIUM_ENV,
    EXTENT_NOTE,
    chromium_path,
    export_map,
    render_print,
    write_html,
)
from zgc_geo.i18n import translate
from zgc_geo.mapping.bth_map import build_bth_map
from zgc_geo.mapping.coverage_map import build_coverage_map, coverage_layer
from zgc_geo.mapping.overview_map import build_overview_map
from zgc_geo.mapping.park_labels import park_labels_layer
from zgc_geo.mapping.print_layout import (
    HEADER_MM,
    MARGIN_MM,
    PrintSpec,
    PrintView,
    nice_scale,
    print_html,
    scale_denominator,
    scale_text,
    switchable_overlays,
    zoom_for_scale,
)
from zgc_geo.mapping.stock_map import build_stock_base_map, plots_for_display, plots_layer
from zgc_geo.mapping.web_assets import STATIC_DIR_ENV
from zgc_geo.plan_data import PlanData

REPO_ROOT = Path(__file__).resolve().parents[1]
PT_PER_MM = 72 / 25.4
LATIN_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
CJK_TITLE = "中关村科学城"
browser = pytest.mark.browser
slow = pytest.mark.slow


def _page_size_pt(pdf: Path) -> tuple[float, float, int]:
    info = poppler("pdfinfo", str(pdf))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    pages = re.search(r"Pages:\s+(\d+)", info)
    assert size and pages, info
    return float(size.group(1)), float(size.group(2)), int(pages.group(1))


def _assert_paper(pdf: Path, width_mm: float, height_mm: float) -> None:
    width, height, pages = _page_size_pt(pdf)
    assert pages == 1
    # Chromium rounds the sheet to whole device units: within 1 pt (0.35 mm) of ISO 216.
    assert width == pytest.approx(width_mm * PT_PER_MM, abs=1.0)
    assert height == pytest.approx(height_mm * PT_PER_MM, abs=1.0)


# --- fast checks: the print page and the options, no browser ---------------------------------


def test_print_page_is_laid_out_and_escaped(plan: PlanData) -> None:
    spec = PrintSpec(title="<script>alert(1)</script> 一区多园", subtitle="a & b", paper="A3", lang="en")
    page = print_html(build_overview_map(plan), spec)
    assert "@page { size: 420.0mm 297.0mm; margin: 0; }" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 一区多园" in page and "<script>alert(1)" not in page
    assert "a &amp; b" in page
    assert "Schematic park outlines — not approved boundaries" in page
    assert "WGS84" in page and "Web Mercator" in page and spec.date in page
    assert 'class="zgc-north"' in page  # north arrow
    assert ".leaflet-control-zoom, .zgc-print .leaflet-control-layers { display: none" in page
    assert "map.options.zoomSnap = 0" in page and "[[39.65, 115.978], [40.46, 117.092]]" in page
    assert '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif' in page
    # Leaflet is inlined: no script or stylesheet is loaded from anywhere.
    assert not re.search(r"<(?:script|link)\b[^>]*\b(?:src|href)=", page)


def test_print_spec_checks_its_options() -> None:
    assert PrintSpec(title="t", paper="A4", orientation="portrait").size_mm == (210.0, 297.0)
    assert PrintSpec(title="t").size_png_px == (2339, 1654)
    for bad in ({"dpi": 150}, {"paper": "Letter"}, {"orientation": "up"}, {"lang": "fr"}, {"date": "1/2"}):
        with pytest.raises(OptionError):
            PrintSpec(title="t", **bad)  # type: ignore[arg-type]


def test_unknown_format_exits_2_listing_the_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["map", "--out", str(tmp_path / "x.doc")]) == 2
    assert ".html, .png, .pdf" in capsys.readouterr().err
    assert not (tmp_path / "x.doc").exists()


def test_unknown_layer_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["map", "--out", str(tmp_path / "x.html"), "--layers", "parks,nope"]) == 2
    assert "nope" in (err := capsys.readouterr().err) and "feature_parks" in err and "frontier_it" in err


def test_missing_chromium_exits_2_with_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    with pytest.raises(PrintError, match="apt-get install chromium fonts-noto-cjk"):
        chromium_path()
    assert main(["map", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "fonts-noto-cjk" in capsys.readouterr().err


def test_html_export_with_selected_layers(tmp_path: Path) -> None:
    out = tmp_path / "parks.html"
    assert main(["map", "--out", str(out), "--layers", "parks,labels,frontier_it"]) == 0
    page = out.read_text(encoding="utf-8")
    assert '"className": "zgc-park"' in page and "zgc-label" in page
    assert '"className": "zgc-district"' not in page and '"className": "zgc-coop-zone"' not in page
    assert "/app/static" not in page


def test_the_legend_explains_only_the_selected_layers(tmp_path: Path) -> None:
    out = tmp_path / "parks.html"
    assert main(["map", "--out", str(out), "--layers", "parks,frontier_it", "--lang", "en"]) == 0
    legend = legend_html(out.read_text(encoding="utf-8"))
    assert "Sub-park (schematic outline)" in legend and "Frontier IT" in legend
    for dropped in ("Bio-health", "District boundary", "Cooperation zone", "Military", "Other"):
        assert dropped not in legend, dropped


def test_a_map_with_nothing_to_explain_has_no_legend(tmp_path: Path) -> None:
    out = tmp_path / "labels.html"
    assert main(["map", "--out", str(out), "--layers", "labels"]) == 0
    assert "legend.onAdd" not in out.read_text(encoding="utf-8")


# --- Chromium: PDF, PNG, the CJK glyph check, offline HTML, CLI --------------------------------


@slow
@browser
def test_pdf_a3_landscape_embeds_its_cjk_font(plan: PlanData, tmp_path: Path) -> None:
    out = export_map(
        build_overview_map(plan),
        tmp_path / "overview.pdf",
        PrintSpec(title="中关村国家自主创新示范区 一区多园", paper="A3", orientation="landscape"),
    )
    _assert_paper(out, 420, 297)
    rows = [line.split() for line in poppler("pdffonts", str(out)).splitlines()[2:]]
    assert rows, "the PDF has no fonts: the text was not drawn as text"
    # Columns from the right: emb sub uni object-id generation; every font must be embedded.
    assert all(row[-5] == "yes" for row in rows), poppler("pdffonts", str(out))
    # The print font stack puts WenQuanYi Micro Hei (TrueType outlines) first, so the Chinese text is
    # embedded as a named CID TrueType subset, not as the unnamed Type 3 fonts Chromium makes of CFF.
    cjk = [row for row in rows if "WenQuanYiMicroHei" in row[0]]
    assert cjk and all(" ".join(row[1:-5]).startswith("CID TrueType") for row in cjk), poppler(
        "pdffonts", str(out)
    )
    text = poppler("pdftotext", str(out), "-")
    assert "中关村国家自主创新示范区" in text and "海淀园" in text  # real text, with a Unicode map


@slow
@browser
def test_png_a4_landscape_at_200_dpi(plan: PlanData, tmp_path: Path) -> None:
    out = export_map(build_overview_map(plan), tmp_path / "overview.png", PrintSpec(title="一区多园"))
    with Image.open(out) as image:
        width, height = image.size
        dpi = image.info.get("dpi")
    assert abs(width - 2339) <= 2 and abs(height - 1654) <= 2
    assert dpi is not None and round(dpi[0]) == 200


def _title_ink(png: Path) -> np.ndarray:
    """Dark pixels of the title line: the first three quarters of the header, left half of the sheet."""
    px = 200 / 25.4
    with Image.open(png) as image:
        grey = np.asarray(image.convert("L"))
    top, bottom = round(MARGIN_MM * px), round((MARGIN_MM + 0.75 * HEADER_MM) * px)
    return grey[top:bottom, round(MARGIN_MM * px) : grey.shape[1] // 2] < 128


def _boxes(ink: np.ndarray) -> int:
    """Glyphs drawn as tofu: connected shapes enclosing more empty area than they have ink."""
    labels, _count = ndimage.label(ink)
    hollow = 0
    for index, region in enumerate(ndimage.find_objects(labels), start=1):
        shape = labels[region] == index
        holes = int(ndimage.binary_fill_holes(shape).sum() - shape.sum())
        hollow += holes > shape.sum()
    return hollow


@slow
@browser
def test_png_really_contains_cjk_glyphs(tmp_path: Path) -> None:
    """Print the same title twice: normally, and in a Chromium that can see only a Latin font.

    The second browser's ``FONTCONFIG_FILE`` lists only DejaVu, so it draws each Chinese character
    as a .notdef box ("tofu"); that render is the reference of what missing glyphs look like. The
    normal render must differ from it over most of the title's ink and contain no tofu box.
    """
    spec = PrintSpec(title=CJK_TITLE, lang="en")

    def sheet() -> str:
        m = folium.Map(tiles=None)
        m.fit_bounds([[39.95, 116.25], [40.05, 116.40]])
        return print_html(m, spec)

    assert LATIN_FONT_DIR.is_dir(), f"{LATIN_FONT_DIR} missing: apt-get install fonts-dejavu-core"
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{LATIN_FONT_DIR}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    normal = render_print(sheet(), tmp_path / "cjk.png", spec)
    tofu = render_print(
        sheet(), tmp_path / "tofu.png", spec, browser_env={**os.environ, "FONTCONFIG_FILE": str(conf)}
    )
    ink, tofu_ink = _title_ink(normal), _title_ink(tofu)
    # The reference really is tofu: one hollow box per character.
    assert _boxes(tofu_ink) == len(CJK_TITLE), "the Latin-only render did not draw tofu boxes"
    # The normal render is something else: no box, far more ink, and different pixels almost everywhere.
    assert _boxes(ink) == 0
    assert ink.sum() > 2 * tofu_ink.sum()
    assert (ink ^ tofu_ink).sum() > 0.5 * (ink | tofu_ink).sum()


@slow
@browser
def test_html_export_draws_offline_from_disk(plan: PlanData, tmp_path: Path) -> None:
    out = write_html(build_overview_map(plan), tmp_path / "overview.html")
    requested: list[str] = []

    def draw() -> tuple[int, int]:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(chromium_path()), args=list(CHROMIUM_ARGS)
            )
            try:
                context = chromium.new_context(
                    viewport={"width": 1200, "height": 900}, service_workers="block"
                )
                context.route("**/*", only_local_files(requested))
                page = context.new_page()
                page.goto(out.as_uri(), wait_until="load")
                page.locator("path.zgc-park").nth(15).wait_for(state="attached", timeout=30_000)
                return page.locator("path.zgc-park").count(), page.locator(".zgc-legend").count()
            finally:
                chromium.close()

    # A worker thread: the browser tests' session may hold a Playwright loop in this thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        parks, legends = pool.submit(draw).result()
    assert (parks, legends) == (16, 1)
    assert requested == []


@slow
@browser
def test_cli_prints_an_english_a4_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.pdf"
    assert main(["map", "--out", str(out), "--paper", "A4", "--lang", "en"]) == 0
    assert "wrote" in capsys.readouterr().out
    _assert_paper(out, 297, 210)
    text = poppler("pdftotext", str(out), "-")
    assert "Zhongguancun National Innovation Demonstration Zone" in text
    assert "Schematic park outlines" in text
    # The map itself is in English too: legend, park labels; no Chinese park name is printed.
    assert "Sub-park (schematic outline)" in text and "Haidian Park" in text
    assert "海淀园" not in text and "分园" not in text


@slow
@browser
def test_local_tiles_print_from_the_static_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiles under static/tiles (served at /app/static/tiles by the app) are read from disk for print."""
    static = tmp_path / "static"
    (static / "node_modules").parent.mkdir(parents=True)
    (static / "node_modules").symlink_to(REPO_ROOT / "static" / "node_modules")
    for x in (0, 1):  # zoom 1 is the whole world in four tiles; Leaflet scales them up
        (static / "tiles" / "flat" / "1" / str(x)).mkdir(parents=True)
        for y in (0, 1):
            Image.new("RGB", (256, 256), (255, 0, 255)).save(
                static / "tiles" / "flat" / "1" / str(x) / f"{y}.png"
            )
    monkeypatch.setenv(STATIC_DIR_ENV, str(static))
    m = folium.Map(tiles=None)
    folium.TileLayer("/app/static/tiles/flat/{z}/{x}/{y}.png", attr="test tiles", max_native_zoom=1).add_to(m)
    m.fit_bounds([[39.9, 116.3], [40.0, 116.4]])
    out = export_map(m, tmp_path / "tiles.png", PrintSpec(title="tiles"))
    with Image.open(out) as image:
        rgb = np.asarray(image.convert("RGB")).astype(int)
    magenta = (rgb[..., 0] > 240) & (rgb[..., 1] < 15) & (rgb[..., 2] > 240)
    assert magenta.mean() > 0.5  # the map frame is most of the sheet


@slow
@browser
def test_online_basemap_refuses_to_print_offline(plan: PlanData, tmp_path: Path) -> None:
    out = tmp_path / "osm.pdf"
    with pytest.raises(PrintError, match=r'tile\.openstreetmap\.org.*pick "no basemap"'):
        export_map(build_overview_map(plan, "osm"), out, PrintSpec(title="t"))
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no half-written file either


def _coverage_map_with_live_layer(plan: PlanData) -> folium.Map:
    """What the coverage page exports: the base map, then its reach-and-gaps layer added after it."""
    reach_area = gpd.GeoDataFrame(geometry=[reach(plan, "frontier_it", 3000)], crs=4548).to_crs(4326)
    m = build_coverage_map(plan, "frontier_it", lang="en")
    gaps = uncovered(plan, "frontier_it", 3000)
    coverage_layer("frontier_it", reach=reach_area, gaps=gaps, sites=[(116.3, 40.0)], lang="en").add_to(m)
    return m


def test_html_export_defines_a_late_layer_before_the_layer_control(plan: PlanData, tmp_path: Path) -> None:
    m = _coverage_map_with_live_layer(plan)
    late = next(reversed([c for c in m._children.values() if isinstance(c, folium.FeatureGroup)]))
    page = write_html(m, tmp_path / "coverage.html").read_text(encoding="utf-8")
    defined = page.index(f"var {late.get_name()} = ")
    assert defined < page.index("L.control.layers("), "the control would list an undefined layer"


@slow
@browser
def test_a_layer_added_after_the_base_map_prints(plan: PlanData, tmp_path: Path) -> None:
    """The coverage page's export once failed with "reading 'setZIndex'" from the layer control."""
    out = export_map(
        _coverage_map_with_live_layer(plan), tmp_path / "coverage.pdf", PrintSpec(title="Coverage", lang="en")
    )
    text = poppler("pdftotext", str(out), "-")
    assert "Coverage" in text and "Within reach" in text and "Proposed site" in text


def _word_boxes(pdf: Path) -> list[tuple[str, float, float]]:
    """(word, top, height) of every word on the sheet, in points, from ``pdftotext -bbox``."""
    boxes = re.findall(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
        poppler("pdftotext", "-bbox", str(pdf), "-"),
    )
    return [(html_unescape(word), float(top), float(bottom) - float(top)) for top, bottom, word in boxes]


@slow
@browser
def test_a_long_title_wraps_onto_two_readable_lines(plan: PlanData, tmp_path: Path) -> None:
    words = (
        "Coordination meeting on the cluster layout and the revitalisation of idle industrial land "
        "across the sixteen parks of the zone, with the cooperation zones in Tianjin and Hebei"
    )
    short = export_map(build_overview_map(plan), tmp_path / "short.pdf", PrintSpec(title="Zone", lang="en"))
    long = export_map(build_overview_map(plan), tmp_path / "long.pdf", PrintSpec(title=words, lang="en"))
    normal_height = next(h for w, _, h in _word_boxes(short) if w == "Zone")
    title = [(w, top, h) for w, top, h in _word_boxes(long) if top < 60 and w in words.split()]
    assert " ".join(w for w, _, _ in title) == words  # every word printed: no ellipsis, no cut
    assert len({round(top) for _, top, _ in title}) == 2  # on two lines
    assert min(h for _, _, h in title) >= 0.7 * normal_height  # still readable across a table


# --- what the sheet shows: the user's view, a numeric scale, plots that never vanish (#13 items 1, 4) ---


@pytest.mark.parametrize(("lat", "zoom"), [(39.9, 9.37), (40.5, 12.0), (0.0, 5.0), (60.0, 14.25)])
def test_numeric_scale_agrees_with_a_geodesic_measure(lat: float, zoom: float) -> None:
    """1:N from the formula = geodesic ground length of a printed span, measured on the ellipsoid."""
    span_px = 40.0  # 10.6 mm of paper, centred on the latitude
    world_px = 256 * 2**zoom
    west, east = (180.0 - span_px / 2) / world_px * 360 - 180, (180.0 + span_px / 2) / world_px * 360 - 180
    _, _, ground_m = Geod(ellps="WGS84").inv(west, lat, east, lat)
    paper_m = span_px / 96 * 0.0254
    assert scale_denominator(lat, zoom) == pytest.approx(ground_m / paper_m, rel=4e-3)  # sphere vs WGS84


def test_scales_round_up_to_map_sheet_numbers() -> None:
    assert nice_scale(149_000.0) == 150_000 and nice_scale(150_000.0) == 150_000
    assert nice_scale(150_001.0) == 200_000 and nice_scale(9_999.0) == 10_000
    assert nice_scale(1_000_001.0) == 1_200_000 and nice_scale(2_600_000.0) == 3_000_000
    assert nice_scale(150_000.0 * (1 + 1e-12)) == 150_000  # float noise does not jump a step
    for lat, n in ((39.9, 150_000), (40.6, 3_000_000), (10.0, 25_000)):
        assert scale_denominator(lat, zoom_for_scale(lat, n)) == pytest.approx(n, rel=1e-12)
    assert scale_text(150_000) == "1:150 000" and scale_text(2_500) == "1:2 500"
    with pytest.raises(ValueError):
        nice_scale(0.0)


def test_the_sheet_prints_the_users_view_without_the_layers_switched_off(plan: PlanData) -> None:
    m = build_overview_map(plan, lang="en")
    labels = next(c for c in switchable_overlays(m) if "label" in c.layer_name.lower())
    kept = next(c for c in switchable_overlays(m) if c is not labels)
    view = PrintView(bounds=(39.95, 116.25, 40.05, 116.4), hidden=frozenset({labels.layer_name}))
    page = print_html(m, PrintSpec(title="t", lang="en"), view)
    assert "var bounds = [[39.95, 116.25], [40.05, 116.4]];" in page
    assert '"padding": [0, 0]' in page and '"besideLegend": false' in page  # as on screen
    assert f"var {labels.get_name()} =" not in page  # switched off on screen: not printed
    assert f"var {kept.get_name()} =" in page
    full = print_html(build_overview_map(plan, lang="en"), PrintSpec(title="t", lang="en"))
    assert "var bounds = [[39.65, 115.978], [40.46, 117.092]];" in full and '"besideLegend": true' in full
    with pytest.raises(OptionError):
        PrintView(bounds=(40.0, 116.0, 40.0, 117.0))  # no height: not a view


def test_the_html_export_says_what_it_shows_and_where_from(plan: PlanData, tmp_path: Path) -> None:
    spec = PrintSpec(title="Zone <draft>", subtitle="Parks & clusters", lang="en", date="2026-06-30")
    page = write_html(build_overview_map(plan, lang="en"), tmp_path / "o.html", spec).read_text(
        encoding="utf-8"
    )
    assert "<h1>Zone &lt;draft&gt;</h1><p>Parks &amp; clusters</p>" in page
    assert "<title>Zone &lt;draft&gt;</title>" in page
    assert translate("print.source", "en") in page and "Map date 2026-06-30" in page
    assert "Schematic park outlines" in page


def _stock_sheet(plan: PlanData) -> folium.Map:
    """The Stock page's printable map: parks, park names and 40 m plots, too small to see at this scale."""
    parks = plan.parks.to_crs(ANALYSIS_CRS)
    centres = parks.geometry.representative_point()
    plots = gpd.GeoDataFrame(
        {
            "plot_id": [f"P{i}" for i in range(len(parks))],
            "priority_score": np.linspace(10.0, 95.0, len(parks)),
            "review_status": ["unreviewed"] * len(parks),
        },
        geometry=centres.buffer(20.0, cap_style="square").to_numpy(),
        crs=ANALYSIS_CRS,
    ).to_crs(4326)
    m = build_stock_base_map(plan.parks, plan.districts, colour_by="priority", status_labels={}, canvas=False)
    display, _ = plots_for_display(plots, None)
    plots_layer(display, colour_by="priority", selected=None, tooltip_of={}).add_to(m)
    park_labels_layer(plan.parks, lang="en").add_to(m)
    return m


@slow
@browser
def test_the_print_page_rounds_its_scale_and_marks_small_plots(plan: PlanData, tmp_path: Path) -> None:
    page_file = tmp_path / "stock.html"
    page_file.write_text(
        print_html(_stock_sheet(plan), PrintSpec(title="Stock", lang="en")), encoding="utf-8"
    )

    def measure() -> dict[str, Any]:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(chromium_path()), args=list(CHROMIUM_ARGS)
            )
            try:
                width, height = PrintSpec(title="t").size_css_px
                page = chromium.new_page(viewport={"width": width, "height": height})
                page.goto(page_file.as_uri(), wait_until="load")
                page.wait_for_function("() => window.zgcPrint && window.zgcPrint.ready", timeout=30_000)
                bar = page.locator(".leaflet-control-scale-line")
                return page.evaluate(
                    """() => {
                      const map = Object.values(window).find((v) => v instanceof L.Map);
                      return {zoom: map.getZoom(), lat: map.getCenter().lat, scale: window.zgcPrint.scale,
                              markers: window.zgcPrint.markers,
                              markerPaths: document.querySelectorAll("path.zgc-print-marker").length,
                              ratio: document.querySelector(".zgc-scale-ratio").textContent};
                    }"""
                ) | {"bar_text": bar.inner_text(), "bar_px": bar.bounding_box()["width"]}  # type: ignore[index]
            finally:
                chromium.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        got = pool.submit(measure).result()
    n = got["scale"]
    assert isinstance(n, int) and n == nice_scale(float(n))  # a round sheet scale …
    assert scale_denominator(float(got["lat"]), float(got["zoom"])) == pytest.approx(n, rel=1e-9)  # … exactly
    assert got["ratio"] == f"Scale {scale_text(n)}"
    # Leaflet's own scale bar (its own distance arithmetic) says the same ground length per mm.
    value, unit = str(got["bar_text"]).split()
    bar_m = float(value) * (1000 if unit == "km" else 1)
    assert bar_m / (float(got["bar_px"]) / 96 * 0.0254) == pytest.approx(n, rel=0.03)
    assert got["markers"] == got["markerPaths"] == len(plan.parks)  # every 40 m plot, and only they


@slow
@browser
def test_the_stock_pdf_shows_plots_park_names_and_its_scale(plan: PlanData, tmp_path: Path) -> None:
    out = export_map(_stock_sheet(plan), tmp_path / "stock.pdf", PrintSpec(title="Stock", lang="en"))
    text = poppler("pdftotext", str(out), "-")
    assert re.search(r"Scale 1:\d{1,3}( \d{3})+", text), text
    for park in plan.parks.itertuples():
        assert str(park.name_en).split()[0] in text, park.name_en
    poppler("pdftoppm", "-r", "100", "-png", "-singlefile", str(out), str(tmp_path / "sheet"))
    pixels = np.asarray(Image.open(tmp_path / "sheet.png").convert("RGB")).reshape(-1, 3).astype(int)
    # The priority colours of the plots (bands 60-80 and 80-100) are on the sheet, in visible dots.
    for colour in ("#f03b20", "#bd0026"):
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(pixels - rgb).sum(axis=1) < 30).sum() >= 20, colour


def _bth_content_bounds(plan: PlanData) -> tuple[float, float, float, float]:
    """West, south, east, north of Beijing and the cooperation zones: what the BTH sheet is about."""
    beijing = plan.region[plan.region["region_id"].astype(str) == "110000"]
    minx, miny, maxx, maxy = pd.concat([beijing.geometry, plan.cooperation_zones.geometry]).total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


@pytest.mark.parametrize(
    ("lang", "cities"),
    [
        ("en", ("Tianjin", "Shijiazhuang", "Tangshan", "Zhangjiakou")),
        ("zh", ("天津市", "石家庄市", "唐山市")),
    ],
)
def test_the_bth_map_is_fitted_to_its_content_and_names_the_cities(
    plan: PlanData, lang: str, cities: tuple[str, ...]
) -> None:
    m = build_bth_map(plan, zone_distances(plan), core_point(plan), lang=lang)
    (south, west), (north, east) = next(
        c for c in reversed(m._children.values()) if isinstance(c, FitBounds)
    ).bounds
    assert (west, south, east, north) == pytest.approx(_bth_content_bounds(plan))
    assert south > 38.5  # not the whole of Hebei, which reaches 36° N
    page = m.get_root().render()
    for city in cities:  # placed labels of the city-names layer, in the page's language
        assert f'{{"html": "{city}", "cls": "zgc-city-label"' in page, city


@slow
@browser
def test_the_bth_sheet_is_filled_by_its_content_and_names_the_cities(plan: PlanData, tmp_path: Path) -> None:
    m = build_bth_map(plan, zone_distances(plan), core_point(plan), lang="zh")
    png = export_map(m, tmp_path / "bth.png", PrintSpec(title="京津冀协同", lang="zh"))
    south, west, north, east = (float(v) for v in Image.open(png).text[EXTENT_NOTE].split(","))  # type: ignore[attr-defined]
    c_west, c_south, c_east, c_north = _bth_content_bounds(plan)
    assert west <= c_west and south <= c_south and east >= c_east and north >= c_north
    # The content spans the sheet: its height, and its width but for the legend's quarter and the
    # rounding to a sheet scale (fitted to the whole region it spanned about a third of the width).
    assert (c_east - c_west) / (east - west) >= 0.5
    assert (c_north - c_south) / (north - south) >= 0.75
    pdf = export_map(
        build_bth_map(plan, zone_distances(plan), core_point(plan), lang="zh"),
        tmp_path / "bth.pdf",
        PrintSpec(title="京津冀协同", lang="zh"),
    )
    text = poppler("pdftotext", str(pdf), "-")
    for city in ("天津市", "唐山市", "保定市", "张家口市"):
        assert city in text, city
    assert re.search(r"比例尺 1:\d{1,3}( \d{3})+", text), text


def test_the_cli_prints_a_given_extent_and_refuses_a_bad_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "haidian.html"
    assert main(["map", "--out", str(out), "--bounds", "39.85, 116.2, 40.05, 116.45", "--lang", "en"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "[[39.85, 116.2], [40.05, 116.45]]" in page  # opens on that extent
    assert f"<h1>{translate('overview.export_title', 'en')}</h1>" in page  # under its title
    for bad in ("40,116", "north,116,41,117", "41,116,40,117"):
        assert main(["map", "--out", str(tmp_path / "x.html"), "--bounds", bad]) == 2
        assert "SOUTH" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()
