"""HTML for tooltips, popups and legends, built so that attribute text can never become markup."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import pandas as pd

from zgc_geo.i18n import other, pick

#: A placeholder shown where a value is missing, instead of "nan" or "None".
MISSING = "—"


def text(value: object) -> str:
    """Escape one value for HTML; missing values (None, NaN, <NA>, "", []) become an em dash.

    Everything that reaches a Leaflet tooltip or popup passes through here: folium
    inserts tooltip fields with ``innerHTML``, so an unescaped ``<script>`` in an
    imported attribute would run in the user's browser.
    """
    if value is None or (not isinstance(value, list | tuple | str) and pd.isna(value)):
        return MISSING
    if isinstance(value, list | tuple):
        value = "、".join(str(v) for v in value)
    value = str(value).strip()
    return html.escape(value, quote=True) if value else MISSING


def heading_html(name: object, second: object) -> str:
    """A two-line heading: ``name`` in bold, ``second`` (e.g. the name in the other language) below."""
    return f"<b>{text(name)}</b><br><span class='zgc-en'>{text(second)}</span>"


def names_heading(lang: str, name_zh: object, name_en: object) -> str:
    """A feature's heading in ``lang``: its name in that language, the other language's name below."""
    return heading_html(pick(lang, name_zh, name_en), other(lang, name_zh, name_en))


def detail_html(name: object, second: object, rows: Sequence[tuple[str, object]]) -> str:
    """A heading (see :func:`heading_html`) plus a two-column table of labelled values, all escaped."""
    body = "".join(f"<tr><th>{text(label)}</th><td>{text(value)}</td></tr>" for label, value in rows)
    return f"<div class='zgc-detail'>{heading_html(name, second)}<table>{body}</table></div>"


def names_detail(lang: str, name_zh: object, name_en: object, rows: Sequence[tuple[str, object]]) -> str:
    """:func:`detail_html` headed by a feature's names, the one in ``lang`` first."""
    return detail_html(pick(lang, name_zh, name_en), other(lang, name_zh, name_en), rows)


def swatch(
    fill: str = "transparent",
    line: str | None = None,
    *,
    width: int = 2,
    round_: bool = False,
    dashed: bool = False,
) -> str:
    """A legend symbol: a square (``round_``: a disc) in ``fill`` with an optional ``line`` border.

    The one place legend symbols are drawn, so every map's legend matches the others and the
    stylesheet (``.zgc-swatch`` in :mod:`zgc_geo.mapping.style`). Colours are escaped too,
    although they come from our own styles.
    """
    classes = "zgc-swatch round" if round_ else "zgc-swatch"
    css = f"background:{fill};"
    if line is not None:
        css += f"border:2px {'dashed' if dashed else 'solid'} {line};"
    return f"<span class='{classes}' style='{text(css)}'></span>"


def legend_html(title: str, entries: Iterable[tuple[str, str]]) -> str:
    """Legend body: (swatch HTML we generate, label text to escape) pairs under a title."""
    items = "".join(
        f"<div class='zgc-legend-row'>{swatch}<span>{text(label)}</span></div>" for swatch, label in entries
    )
    return f"<div class='zgc-legend-title'>{text(title)}</div>{items}"
