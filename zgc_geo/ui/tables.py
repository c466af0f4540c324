"""Tables on the pages: column ids kept for code and tests, headings shown in the session's language."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from zgc_geo.ui.i18n import tr


def labelled(labels: Mapping[str, str]) -> Callable[[Any], str]:
    """A ``format_func`` showing each option by its label (an option without one as itself)."""
    return lambda option: labels.get(str(option), str(option))


def column_config(
    frame: pd.DataFrame, headings: Mapping[str, str], *, hide: Collection[str] = ()
) -> dict[str, Any]:
    """Streamlit ``column_config`` naming each column of ``headings`` (id → text key), hiding ``hide``.

    Columns missing from ``frame`` are skipped; columns not in ``headings`` keep their id.
    """
    config: dict[str, Any] = {
        column: st.column_config.Column(tr(key))
        for column, key in headings.items()
        if column in frame.columns
    }
    config.update({column: None for column in hide if column in frame.columns})
    return config


def show_table(
    frame: pd.DataFrame,
    headings: Mapping[str, str],
    *,
    hide: Collection[str] = (),
    config: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """``st.dataframe`` of ``frame`` (no index, full width) with translated headings; returns its event.

    ``config`` adds column configurations of its own (e.g. headings with a value in them).
    """
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    columns = column_config(frame, headings, hide=hide) | dict(config or {})
    return st.dataframe(frame, column_config=columns, **kwargs)


def headed(frame: pd.DataFrame, headings: Mapping[str, str], *, hide: Collection[str] = ()) -> pd.DataFrame:
    """``frame`` without ``hide``, its columns renamed to their translated headings (for downloads)."""
    shown = frame.drop(columns=[c for c in hide if c in frame.columns])
    return shown.rename(columns={c: tr(key) for c, key in headings.items() if c in shown.columns})
