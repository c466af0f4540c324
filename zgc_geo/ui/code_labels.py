"""Codes as people read them: the one place that names the coded values of the stock and workspace tables.

The analysis keeps codes (park ids, land-use class ids, review statuses, inefficiency kinds …) so
that filters, rules, exports and the audit log stay the same in every language. A person reads
names: every table, tooltip and rule explanation on the Stock page and the Data page's workspace
panels shows its code columns through :func:`for_display` / :func:`names_of`, so a new table
cannot forget one column while another remembers it. The names themselves come from the code
lists the exports use (:func:`zgc_geo.export.labels.code_names`), so a page and a file it writes
name a code the same way; only what the pages alone show (outside all parks, the total row, no
efficiency class, yes/no) is named here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Final

import numpy as np
import pandas as pd

from zgc_geo.export.labels import code_names
from zgc_geo.export.worded import worded_cell
from zgc_geo.stock.bulk import OUTSIDE as OUTSIDE_ALL_PARKS
from zgc_geo.stock.filters import NO_CLASS, OUTSIDE_PARKS
from zgc_geo.stock.redevelopment import Condition
from zgc_geo.stock.summary import TOTAL
from zgc_geo.ui.i18n import BEIJING, current_lang, tr
from zgc_geo.workspace.rights import OUTSIDE as OUTSIDE_RIGHTS

#: Which vocabulary each coded column of the analysed plots, summaries and audit rows uses.
CODE_COLUMNS: Final = {
    "analysis_park_id": "park",
    "park_id": "park",
    "land_use_class": "land_use",
    "review_status": "status",
    "inefficiency_kind": "inefficiency",
    "efficiency_class": "efficiency",
    "review_mode": "mode",
    "mode": "mode",
    "land_rights": "land_rights",
    "is_idle": "yes_no",
    "inside_park": "yes_no",
}
#: Columns holding UTC times (ISO 8601, ``…Z``): shown in Beijing time.
TIME_COLUMNS: Final = ("time", "granted_at", "updated_at")


def park_names() -> dict[str, str]:
    """Park id → name in the page's language, with the outside-of-every-park and total rows named too."""
    outside = tr("stock.outside_parks")
    names = _listed("park")()
    names.update({OUTSIDE_ALL_PARKS: outside, OUTSIDE_PARKS: outside, OUTSIDE_RIGHTS: outside})
    names[TOTAL] = tr("stock.total")
    return names


def _listed(code_list: str) -> Callable[[], dict[str, str]]:
    """The names of one of the code lists the exports name (:func:`zgc_geo.export.labels.code_names`),
    in the page's language: pages and files name a code the same way."""
    return lambda: dict(code_names(code_list, current_lang()))


#: Each vocabulary's names in the page's language, made when asked (the language is the session's).
VOCABULARIES: Final[dict[str, Callable[[], dict[str, str]]]] = {
    "park": park_names,
    "land_use": _listed("land_use_class"),
    "status": _listed("review_status"),
    "inefficiency": _listed("inefficiency"),
    "efficiency": lambda: {**{g: g for g in "ABCD"}, NO_CLASS: tr("stock.no_class")},
    "mode": _listed("mode"),
    "land_rights": _listed("land_rights"),
    "yes_no": lambda: {"True": tr("stock.code.yes"), "False": tr("stock.code.no")},
}


def names_of(kind: str) -> dict[str, str]:
    """Code → name in the page's language for one vocabulary of :data:`CODE_COLUMNS`."""
    return VOCABULARIES[kind]()


def _named(values: pd.Series, names: Mapping[str, str]) -> pd.Series:
    """``values`` with every known code replaced by its name; unknown values kept, missing stay missing."""
    text = values.astype(object).where(values.notna(), None)
    return text.map(lambda v: v if v is None else names.get(str(v), v))


def beijing_time(value: object) -> str:
    """An audit time (ISO 8601 UTC, ``…Z``) as Beijing people read it: ``2026-12-06 18:29:40``."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def for_display(frame: pd.DataFrame, *, missing_park: bool = True) -> pd.DataFrame:
    """A copy of ``frame`` for a table: coded columns named in the page's language, times in Beijing time.

    Codes that have no name (a custom value) are kept as they are, so nothing is hidden. With
    ``missing_park``, a plot in no park reads "outside all parks" instead of an empty cell.
    """
    shown = frame.copy()
    for column, kind in CODE_COLUMNS.items():
        if column not in shown.columns:
            continue
        named = _named(shown[column], names_of(kind))
        if kind == "park" and missing_park:
            named = named.where(named.notna(), tr("stock.outside_parks"))
        shown[column] = named
    for column in TIME_COLUMNS:
        if column in shown.columns:
            shown[column] = shown[column].map(beijing_time)
    return shown


def value_text(field: str, value: object) -> str:
    """One value of ``field`` in words: names for codes, 是/否 for flags, lists joined, "missing" if none."""
    if isinstance(value, list | tuple | np.ndarray):
        separator = "、" if current_lang() == "zh" else " / "  # English names may hold commas
        return separator.join(value_text(field, v) for v in value)
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return tr("stock.value_missing")
    if isinstance(value, bool | np.bool_):
        return tr("stock.code.yes") if value else tr("stock.code.no")
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    kind = CODE_COLUMNS.get(field)
    names = names_of(kind) if kind and kind != "yes_no" else {}
    return names.get(str(value), str(value))


def condition_text(condition: Condition, plot_value: object) -> str:
    """A rule condition in the page's language with the plot's own value: ``闲置年数 ≥ 5（本地块：12）``.

    The condition is worded by the rules themselves (:meth:`Condition.sentence`), as workbooks word it;
    the page adds only the plot's value.
    """
    rule = worded_cell(condition.sentence(), current_lang())
    return tr("stock.condition", condition=rule, actual=value_text(condition.field, plot_value))
