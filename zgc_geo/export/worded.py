"""Sentences the analyses keep language-neutral, put into the language of the file being written.

Domain code records what it found as :class:`~zgc_geo.i18n.Sentence` (a text key and its values),
:class:`~zgc_geo.i18n.Both` (a label a data table gives in both languages) or
:class:`~zgc_geo.i18n.Joined` (several of them) — never as English text. Every writer of a file a
person reads (:func:`zgc_geo.export.layers.write_layer`, :func:`zgc_geo.export.workbook.write_sheets`)
passes its tables through :func:`worded_frame` with the file's language: this is the one place
such cells become text.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from zgc_geo.i18n import Both, Joined, Sentence, as_lang, translate


@dataclass(frozen=True)
class FieldName:
    """A canonical field as ``layers/export_fields.csv`` names it in a language (``area_mu`` → 面积（亩）)."""

    field: str

    def phrase(self, lang: str = "en") -> str:
        """The field's header in ``lang``; a field the table does not know keeps its name."""
        from zgc_geo.export.labels import field_label  # noqa: PLC0415 - labels reads the stock rules (a cycle)

        label = field_label(self.field, as_lang(lang))
        if label is not None and label.code_list:  # a coded field is read by its names (分园, not 分园代码)
            label = field_label(f"{self.field}_name", as_lang(lang)) or label
        return self.field if label is None else label.label(as_lang(lang))

    text = phrase


@dataclass(frozen=True)
class FieldValue:
    """A value of a field as a person reads it: a code by its name (``collective`` → 集体), a yes/no in words,
    a number as written in the rules (``30``), a list item by item."""

    field: str
    value: object

    def phrase(self, lang: str = "en") -> str:
        """The value in ``lang``."""
        from zgc_geo.export.labels import code_names, field_label  # noqa: PLC0415 - as above

        if isinstance(self.value, list | tuple):
            return Joined(tuple(FieldValue(self.field, v) for v in self.value), list_=True).phrase(lang)
        if isinstance(self.value, bool):
            return translate("stock.why.yes" if self.value else "stock.why.no", lang)
        if isinstance(self.value, float | int):
            return f"{self.value:g}"
        label = field_label(self.field, as_lang(lang))
        names = code_names(label.code_list, as_lang(lang)) if label is not None and label.code_list else {}
        return names.get(str(self.value), str(self.value))

    text = phrase


@dataclass(frozen=True)
class CodeName:
    """A code of one of :data:`zgc_geo.export.labels.CODE_LISTS` by its name (``research`` → 科研用地)."""

    code_list: str
    code: str

    def phrase(self, lang: str = "en") -> str:
        """The name in ``lang``; a code the list does not name stays as it is."""
        from zgc_geo.export.labels import code_names  # noqa: PLC0415 - as above

        return code_names(self.code_list, as_lang(lang)).get(self.code, self.code)

    text = phrase


_WORDED = (Sentence, Both, Joined, FieldName, FieldValue, CodeName)
_Frame = TypeVar("_Frame", bound=pd.DataFrame)


def is_worded(value: object) -> bool:
    """A language-neutral text, or a list of them."""
    if isinstance(value, list | tuple):
        return bool(value) and all(isinstance(part, _WORDED) for part in value)
    return isinstance(value, _WORDED)


def is_worded_type(kind: type) -> bool:
    """Whether values of ``kind`` are worded (one of the language-neutral text types)."""
    return issubclass(kind, _WORDED)


def worded_cell(value: object, lang: str) -> object:
    """A cell as read in ``lang``: a worded value as its text (a list of them as one list); else unchanged."""
    if isinstance(value, list | tuple) and is_worded(value):
        return Joined(tuple(value), list_=True).phrase(lang)
    if isinstance(value, _WORDED):
        return value.text(lang)
    return value


def worded_frame(frame: _Frame, lang: str) -> _Frame:
    """``frame`` with every worded cell as its text in ``lang`` (a copy; ``frame`` itself if none is)."""
    out = frame
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        if not pd.api.types.is_object_dtype(series):
            continue
        texts = _worded_column(series, lang)
        if texts is None:
            continue
        if out is frame:
            out = frame.copy(deep=False)  # copy-on-write: replacing a column leaves ``frame`` as it is
        out.isetitem(position, texts)
    return out


def by_identity(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, firsts)``: a code per cell, the same for cells holding the same object (0, 1, … in order
    of first appearance), and the position of each code's first cell. Objects are told apart by
    identity: worded objects hold dicts, so they cannot be hashed, and rows sharing one share its text."""
    codes = pd.factorize(np.fromiter(map(id, values), dtype=np.int64, count=len(values)))[0]
    return codes, first_rows(codes)


def first_rows(codes: np.ndarray) -> np.ndarray:
    """Where each code of dense codes numbered in order of first appearance (as :func:`pandas.factorize`
    numbers them) first appears: where their running maximum grows."""
    return np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0)


def list_cells(values: np.ndarray) -> np.ndarray:
    """Where ``values`` holds a list or a tuple (or a subclass of one), found from the cells' types in C."""
    types = np.fromiter(map(type, values), dtype=object, count=len(values))
    listed = [kind for kind in set(types) if issubclass(kind, list | tuple)]
    return pd.Series(types).isin(listed).to_numpy() if listed else np.zeros(len(values), dtype=bool)


def _has_worded(values: np.ndarray) -> bool:
    """``any(is_worded(v) for v in values)``, by types first: a worded list has worded items only, so
    100 000 lists of mode ids are told by their items' types in C, not by 100 000 calls."""
    if any(issubclass(kind, _WORDED) for kind in set(map(type, values))):
        return True
    lists = values[list_cells(values)]
    items = set(map(type, itertools.chain.from_iterable(lists)))
    return any(issubclass(kind, _WORDED) for kind in items) and any(map(is_worded, lists))


def map_distinct(series: pd.Series, function: Callable[[Any], object]) -> pd.Series:
    """``series.map(function)``, calling ``function`` once per distinct object of ``series``
    (:func:`by_identity`) and taking its result into every row holding the object. The distinct cells
    are mapped as the rows would be, so the result's type is inferred as ``series.map`` infers it."""
    values = series.to_numpy(dtype=object)
    return _mapped_distinct(values, by_identity(values), function, series.index)


def _mapped_distinct(
    values: np.ndarray,
    identity: tuple[np.ndarray, np.ndarray],
    function: Callable[[Any], object],
    index: pd.Index,
) -> pd.Series:
    """:func:`map_distinct` of ``values`` whose :func:`by_identity` is already known."""
    codes, firsts = identity
    return pd.Series(values[firsts], dtype=object).map(function).take(codes).set_axis(index)


def _worded_column(series: pd.Series, lang: str) -> pd.Series | None:
    """The column with its worded cells as text, or None when it has none.

    Rows share their objects (the analyses build one reason per distinct case, see
    :mod:`zgc_geo.stock.distinct`), so each distinct object is worded once (:func:`map_distinct`).
    """
    values = series.to_numpy(dtype=object)
    identity = by_identity(values)  # once: it tells the worded cells and maps them
    if not _has_worded(values[identity[1]]):
        return None
    return _mapped_distinct(values, identity, lambda v: worded_cell(v, lang), series.index)
