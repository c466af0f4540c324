"""One page run under AppTest as the page tests run it: a language, maybe a selected plot, no exception."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[2] / "zgc_geo" / "ui" / "pages"


def run_page(name: str, selected: str | None = None, lang: str = "zh", timeout: float = 300) -> AppTest:
    """Page ``name`` (e.g. "stock") run once in ``lang``, with plot ``selected`` on the stock page."""
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=timeout)
    at.session_state["lang"] = lang
    if selected:
        at.session_state["stock_selected"] = selected
    at.run()
    assert not at.exception, at.exception
    return at
