"""Export a map to standalone HTML, or print it to PDF/PNG with Debian's headless Chromium — offline.

The print page (:func:`zgc_geo.mapping.print_layout.print_html`) is the web map itself, so
PDF and PNG show exactly the web map's layers and styles; Chromium lays it out and embeds
the fonts (``fonts-noto-cjk``) in the PDF. The browser may read only the page file and
``data:`` URIs: any other request is blocked and the print fails, naming it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import os
import shutil
import struct
import tempfile
import time
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from zgc_geo.errors import OptionError, PrintError
from zgc_geo.mapping.map_controls import layer_control_last
from zgc_geo.mapping.print_layout import MM_PER_INCH, FoliumMap, PrintSpec, PrintView, print_html, titled_html
from zgc_geo.mapping.web_assets import inline_assets_html

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

log = logging.getLogger(__name__)

CHROMIUM_ENV: Final = "ZGC_CHROMIUM"
DEFAULT_CHROMIUM: Final = Path("/usr/bin/chromium")
INSTALL_HINT: Final = (
    "install Debian's chromium and fonts-noto-cjk (sudo apt-get install chromium fonts-noto-cjk)"
)
#: The flags the browser tests use: no sandbox (containers), no GPU, nothing phoning home.
CHROMIUM_ARGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
FORMATS: Final = (".html", ".png", ".pdf")
#: URL schemes that never leave the machine; everything else is blocked.
LOCAL_SCHEMES: Final = frozenset({"file", "data", "blob", "about"})
TIMEOUT_S: Final = 60.0
#: The window a document (a report) is laid out in before printing: an A4 page's width in CSS px.
DOCUMENT_VIEWPORT: Final = (794, 1123)
_TILE_SETTLE_MS: Final = 300  # Leaflet fades tiles in over 200 ms
#: ``tEXt`` keywords of a printed PNG: the map frame's extent ("south,west,north,east", degrees of the
#: map's display datum) and its numeric scale ("1:150000").
EXTENT_NOTE: Final = "zgc-geo extent"
SCALE_NOTE: Final = "zgc-geo scale"

_READY_JS: Final = """() => {
  if (!(window.zgcPrint && window.zgcPrint.ready)) return false;
  if (!document.querySelector('.leaflet-container')) return false;
  return Array.from(document.querySelectorAll('img.leaflet-tile')).every((t) => t.complete);
}"""


def chromium_path() -> Path:
    """The Chromium to print with: ``$ZGC_CHROMIUM``, else ``/usr/bin/chromium``, else ``chromium`` on PATH.

    Raises
    ------
    PrintError
        If none is an executable file; the message says how to install it.
    """
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        path = Path(override).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise PrintError(f"{CHROMIUM_ENV}={override} is not an executable Chromium; {INSTALL_HINT}.")
    if DEFAULT_CHROMIUM.is_file() and os.access(DEFAULT_CHROMIUM, os.X_OK):
        return DEFAULT_CHROMIUM
    found = shutil.which("chromium")
    if found:
        return Path(found)
    raise PrintError(
        f"Printing maps to PNG or PDF needs Chromium, which was not found: {INSTALL_HINT}, "
        f"or point {CHROMIUM_ENV} at a Chromium binary. HTML export works without it."
    )


def check_output(out: Path, allowed: tuple[str, ...] = FORMATS) -> str:
    """``out``'s lower-case suffix, if it is one of ``allowed`` and its folder exists.

    Raises
    ------
    OptionError
        Naming the allowed suffixes, or the missing folder.
    """
    suffix = out.suffix.lower()
    if suffix not in allowed:
        raise OptionError(f"cannot export a map to {out.name!r}: the file must end in {', '.join(allowed)}")
    if not out.parent.is_dir():
        raise OptionError(f"cannot write {out}: folder {out.parent} does not exist")
    return suffix


def _write_atomic(out: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, so ``out`` is never half-written."""
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp).chmod(0o644)
        Path(tmp).replace(out)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_with_dpi(png: bytes, dpi: int, notes: Mapping[str, str] | None = None) -> bytes:
    """Add a ``pHYs`` chunk so viewers and printers know the PNG's resolution (Chromium writes none),
    and a ``tEXt`` chunk per ASCII note (the printed extent and scale: where the sheet is)."""
    header_end = 8 + 25  # signature + IHDR chunk
    if png[:8] != b"\x89PNG\r\n\x1a\n" or b"pHYs" in png[: header_end + 64]:
        return png
    per_metre = round(dpi / MM_PER_INCH * 1000)
    chunks = _png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
    for keyword, value in sorted((notes or {}).items()):
        chunks += _png_chunk(b"tEXt", keyword.encode("ascii") + b"\x00" + value.encode("ascii"))
    return png[:header_end] + chunks + png[header_end:]


def _sheet_notes(page: Page) -> dict[str, str]:
    """The printed extent (south, west, north, east, degrees) and numeric scale, as the page set them."""
    printed = page.evaluate("() => ({extent: window.zgcPrint.extent, scale: window.zgcPrint.scale})")
    notes = {}
    if printed.get("extent"):
        notes[EXTENT_NOTE] = ",".join(f"{float(v):.6f}" for v in printed["extent"])
    if printed.get("scale"):
        notes[SCALE_NOTE] = f"1:{int(printed['scale'])}"
    return notes


def _blocked_message(blocked: list[str]) -> str:
    hosts = sorted({urlsplit(url).netloc or url for url in blocked})
    return (
        f"Printing works offline only, but the map asked for {len(blocked)} resource(s) from the internet "
        f"({', '.join(hosts[:5])}; e.g. {blocked[0]}), all blocked. These are usually the tiles of an "
        'online basemap: pick "no basemap" (or local tiles) for print.'
    )


def _wait_drawn(page: Page, blocked: list[str], errors: list[str], timeout_s: float) -> None:
    """Wait until Leaflet has drawn, fonts are ready and every tile has loaded (or there are none)."""
    deadline = time.monotonic() + timeout_s
    while not blocked and not errors:
        if page.evaluate(_READY_JS):
            if page.evaluate("() => document.querySelectorAll('img.leaflet-tile').length"):
                page.wait_for_timeout(_TILE_SETTLE_MS)
            return
        if time.monotonic() > deadline:
            raise PrintError(f"the map did not finish drawing within {timeout_s:.0f} s")
        page.wait_for_timeout(50)
    if blocked:
        raise PrintError(_blocked_message(blocked))
    raise PrintError(f"the map page failed with a script error: {errors[0]}")


def render_print(
    html: str,
    out: Path,
    spec: PrintSpec,
    *,
    browser_env: Mapping[str, str] | None = None,
    timeout_s: float = TIMEOUT_S,
) -> Path:
    """Print a page made by :func:`~zgc_geo.mapping.print_layout.print_html` to ``out`` (.pdf or .png).

    PDF: one page of ``spec``'s paper, zero margins (the page lays out its own), backgrounds on,
    fonts embedded by Chromium. PNG: the sheet at ``spec.dpi`` (viewport = paper in CSS px,
    device scale ``dpi / 96``), with the resolution recorded in the file.

    Parameters
    ----------
    browser_env : Mapping, optional
        The browser's whole environment (e.g. a ``FONTCONFIG_FILE``); default this process's.

    Raises
    ------
    OptionError
        ``out`` does not end in .pdf or .png, or its folder does not exist.
    PrintError
        No Chromium, a request that would leave the machine, a script error, or a timeout.
    """
    out = Path(out)
    suffix = check_output(out, (".png", ".pdf"))
    executable = chromium_path()
    started = time.monotonic()
    # Playwright's sync API refuses to run in a thread that already has an asyncio loop (a test's
    # or a server's own Playwright session); a private worker thread always has none.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="zgc-print") as pool:
        job = pool.submit(
            _render_bytes,
            html,
            suffix=suffix,
            spec=spec,
            executable=executable,
            browser_env=browser_env,
            timeout_s=timeout_s,
        )
        data, blocked = job.result()
    if blocked:  # e.g. a request made while printing
        raise PrintError(_blocked_message(blocked))
    _write_atomic(out, data)
    log.info("printed %s in %.1f s", out, time.monotonic() - started)
    return out


def _render_bytes(
    html: str,
    *,
    suffix: str,
    spec: PrintSpec | None,
    executable: Path,
    browser_env: Mapping[str, str] | None,
    timeout_s: float,
) -> tuple[bytes, list[str]]:
    """Load the page in Chromium and return the printed bytes and any blocked request. Without ``spec``
    the page is a document (a report): printed on A4 pages with its own CSS once its fonts are ready."""
    from playwright.sync_api import Error as PlaywrightError  # noqa: PLC0415 - heavy, print-only
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    blocked: list[str] = []
    errors: list[str] = []

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).scheme in LOCAL_SCHEMES:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("blockedbyclient")

    with tempfile.TemporaryDirectory(prefix="zgc-print-") as tmp:
        page_file = Path(tmp) / "map.html"
        page_file.write_text(html, encoding="utf-8")
        with sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(
                    executable_path=str(executable),
                    args=list(CHROMIUM_ARGS),
                    env=dict(browser_env) if browser_env is not None else None,
                )
            except PlaywrightError as exc:
                reason = str(exc).strip().splitlines()[0]
                raise PrintError(
                    f"could not start Chromium at {executable} ({reason}); {INSTALL_HINT}."
                ) from exc
            try:
                width, height = spec.size_css_px if spec is not None else DOCUMENT_VIEWPORT
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    device_scale_factor=spec.dpi / 96 if spec is not None and suffix == ".png" else 1,
                    service_workers="block",
                )
                context.route("**/*", guard)
                page = context.new_page()
                page.on("websocket", lambda ws: blocked.append(ws.url))
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(page_file.as_uri(), wait_until="load", timeout=timeout_s * 1000)
                if spec is None:
                    page.evaluate("() => document.fonts.ready.then(() => true)")
                    data = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
                    return data, blocked
                _wait_drawn(page, blocked, errors, timeout_s)
                if suffix == ".pdf":
                    paper_w, paper_h = spec.size_mm
                    data = page.pdf(
                        width=f"{paper_w}mm",
                        height=f"{paper_h}mm",
                        print_background=True,
                        margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
                        prefer_css_page_size=True,
                    )
                else:
                    shot = page.screenshot(full_page=True, type="png")
                    data = _png_with_dpi(shot, spec.dpi, _sheet_notes(page))
            except PlaywrightError as exc:
                raise PrintError(f"Chromium could not print the map: {exc}") from exc
            finally:
                browser.close()
    return data, blocked


def print_document(html: str, out: Path, *, timeout_s: float = TIMEOUT_S) -> Path:
    """Print a self-contained HTML document (a report with its own ``@page`` CSS) to the PDF ``out``:
    offline (any request leaving the machine is refused), fonts embedded by Chromium, written atomically."""
    out = Path(out)
    check_output(out, (".pdf",))
    executable = chromium_path()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="zgc-print") as pool:
        job = pool.submit(
            _render_bytes, html, suffix=".pdf", spec=None, executable=executable, browser_env=None,
            timeout_s=timeout_s,
        )  # fmt: skip
        data, blocked = job.result()
    if blocked:
        raise PrintError(_blocked_message(blocked))
    _write_atomic(out, data)
    return out


def write_html(m: FoliumMap, out: Path, spec: PrintSpec | None = None, view: PrintView | None = None) -> Path:
    """Write ``m`` as one self-contained HTML file (Leaflet inlined) that opens offline anywhere.

    With ``spec`` the map sits under its title and subtitle, above its source note and date
    (:func:`~zgc_geo.mapping.print_layout.titled_html`), opened on ``view``'s extent.
    """
    out = Path(out)
    check_output(out, (".html",))
    page = titled_html(m, spec, view) if spec is not None else inline_assets_html(layer_control_last(m))
    _write_atomic(out, page.encode("utf-8"))
    return out


def export_map(m: FoliumMap, out: Path, spec: PrintSpec, view: PrintView | None = None) -> Path:
    """Export ``m`` by ``out``'s suffix: ``.html`` (interactive, standalone), ``.png`` or ``.pdf`` (``spec``).

    ``view`` is what the user's map showed (extent, switched-off layers); without it the sheet
    shows the map's full extent.

    Raises
    ------
    OptionError
        Any other suffix (the message lists the formats), or a missing folder.
    PrintError
        As :func:`render_print`.
    """
    out = Path(out)
    suffix = check_output(out, FORMATS)
    if suffix == ".html":
        return write_html(m, out, spec, view)
    chromium_path()  # fail before the page is built when there is no browser
    return render_print(print_html(m, spec, view), out, spec)
