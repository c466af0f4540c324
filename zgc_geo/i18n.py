"""UI text in Chinese and English from one table, ``zgc_geo/ui/strings.toml`` (no Streamlit here).

Each entry of the table is a TOML table with exactly ``zh`` and ``en``::

    [overview.title]
    zh = "一区多园总览"
    en = "One zone, many parks"

and is looked up by its dotted name: ``translate("overview.title", "en")``. Placeholders are
:meth:`str.format` fields (``{count}``), filled from keyword arguments. The map builders call
:func:`translate` with their ``lang`` argument; the pages call :func:`zgc_geo.ui.i18n.tr`, which
adds the session's language. Data values are not translated: they have their own language
columns (``name_zh`` / ``name_en``), chosen with :func:`pick`.

An unknown key shows the key itself and issues a :class:`MissingStringWarning` (an error under
pytest, whose warnings filter is ``error``); ``tests/ui/test_strings.py`` checks statically that
every key the code uses exists in both languages and that none in the table is unused.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Final, Literal, TypeAlias

import pandas as pd

Lang: TypeAlias = Literal["zh", "en"]

LANGS: Final[tuple[Lang, ...]] = ("zh", "en")
DEFAULT_LANG: Final[Lang] = "zh"
#: Where the table lives inside the installed package (shipped as package data).
STRINGS_PACKAGE: Final = "zgc_geo"
STRINGS_PATH: Final = ("ui", "strings.toml")
_NUMERAL = "[一二三四五六七八九十]"
#: A reference into the plan (§五(一)1, §四(三)4, 专栏一): written as the plan writes it in both
#: languages, so it is the one place Chinese characters may appear in an English text.
PLAN_REFERENCE: Final = re.compile(rf"§{_NUMERAL}+(?:\({_NUMERAL}+\))?\d*|专栏{_NUMERAL}+")


class MissingStringWarning(UserWarning):
    """A key that is not in the translation table (a programming error: the key is shown instead)."""


def _flatten(table: Mapping[str, object], prefix: str, out: dict[str, dict[str, str]]) -> None:
    for name, value in table.items():
        key = f"{prefix}.{name}" if prefix else name
        if not isinstance(value, Mapping):
            raise ValueError(f"strings.toml: {key} is not a table of zh/en texts")
        if set(value) & set(LANGS):
            if set(value) != set(LANGS) or not all(isinstance(value[lang], str) for lang in LANGS):
                raise ValueError(f"strings.toml: [{key}] must have exactly the string fields zh and en")
            out[key] = {lang: str(value[lang]) for lang in LANGS}
        else:
            _flatten(value, key, out)


@functools.cache
def strings() -> Mapping[str, Mapping[str, str]]:
    """The whole table, ``{dotted key: {"zh": …, "en": …}}`` (read once per process).

    Raises
    ------
    ValueError
        If an entry lacks a language or has anything besides ``zh`` and ``en``.
    """
    source = resources.files(STRINGS_PACKAGE).joinpath(*STRINGS_PATH).read_text(encoding="utf-8")
    out: dict[str, dict[str, str]] = {}
    _flatten(tomllib.loads(source), "", out)
    return out


def as_lang(value: object) -> Lang:
    """``value`` if it is a supported language, else the default (Chinese)."""
    return "en" if value == "en" else DEFAULT_LANG


def translate(key: str, lang: str = DEFAULT_LANG, /, **fmt: object) -> str:
    """The text of ``key`` in ``lang`` (``"zh"`` or ``"en"``), with ``fmt`` filled into its fields.

    Raises
    ------
    ValueError
        If ``lang`` is not a supported language.
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(LANGS)}")
    entry = strings().get(key)
    if entry is None:
        warnings.warn(f"no text for {key!r} in zgc_geo/ui/strings.toml", MissingStringWarning, stacklevel=2)
        return key
    text = entry[lang]
    return text.format(**fmt)


def percent(share: float, lang: str = "en") -> str:
    """A share of runs as people say it: ``40 %``; never ``100 %`` or ``0 %`` unless exact."""
    shown = round(share * 100)
    if shown == 100 and share < 1:
        return translate("common.pct_over_99", lang)
    if shown == 0 and share > 0:
        return translate("common.pct_under_1", lang)
    return translate("common.pct", lang, value=shown)


@dataclass(frozen=True)
class Sentence:
    """A sentence of an analysis, kept as its table key and values so it can be shown in either language.

    Domain code (robustness of a ranking, why one site beats another) says what it found once;
    the page renders it in the session's language and the CLI in English. ``shares`` are
    fractions of runs, worded by :func:`percent` in the language rendered.
    """

    key: str
    values: Mapping[str, object] = field(default_factory=dict)
    shares: Mapping[str, float] = field(default_factory=dict)
    #: The sentence starts with a name that must stay as written (a scenario's ``current_permitted``).
    as_written: bool = False

    def text(self, lang: str = "en") -> str:
        """The sentence in ``lang``, its first letter capitalised (names may start in lower case)."""
        out = self.phrase(lang)
        return out if self.as_written else out[:1].upper() + out[1:]

    def phrase(self, lang: str = "en") -> str:
        """The sentence in ``lang`` as part of another: not capitalised. A value that is itself
        worded (a :class:`Sentence`, :class:`Both`, :class:`Joined`) is put in ``lang`` too."""
        worded = {name: percent(share, lang) for name, share in self.shares.items()}
        values = {name: in_lang(value, lang) for name, value in self.values.items()}
        return translate(self.key, lang, **values, **worded)


@dataclass(frozen=True)
class Both:
    """A text given in both languages (a label of a rules file, a CRS or geometry kind in a finding): shown
    by :func:`pick`, and in English where it is formatted into an English message."""

    zh: str
    en: str

    def phrase(self, lang: str = "en") -> str:
        """The text in ``lang`` (the Chinese one where the English is missing)."""
        return str(pick(lang, self.zh, self.en))

    text = phrase

    def __str__(self) -> str:
        """The English text: what an English message formatted with this value shows."""
        return self.phrase("en")


@dataclass(frozen=True)
class Joined:
    """Worded parts read as one text: ``；`` between them in Chinese, ``; `` in English; ``list_``: ``、`` /
    ``, ``; ``joiner``: the text of that key between them (``且`` / `` and ``); ``separator``: that text in
    both languages (`` + ``, a formula's)."""

    parts: tuple[object, ...]
    list_: bool = False
    joiner: str = ""
    separator: str = ""

    def phrase(self, lang: str = "en") -> str:
        """The parts in ``lang``, joined as the language joins clauses (or list items)."""
        if self.separator:
            separator = self.separator
        elif self.joiner:
            separator = translate(self.joiner, lang)
        elif self.list_:
            separator = "、" if lang == "zh" else ", "
        else:
            separator = "；" if lang == "zh" else "; "
        return separator.join(str(in_lang(part, lang)) for part in self.parts)

    def text(self, lang: str = "en") -> str:
        """The parts in ``lang``, the first one capitalised as a sentence starts."""
        out = self.phrase(lang)
        as_written = bool(self.parts) and getattr(self.parts[0], "as_written", False)
        return out if as_written else out[:1].upper() + out[1:]


def in_lang(value: object, lang: str) -> object:
    """``value`` as a person reads it in ``lang``: a worded value (anything with ``phrase``) as its text,
    anything else unchanged. Domain code keeps sentences language-neutral; exports call this."""
    phrase = getattr(value, "phrase", None)
    return phrase(lang) if callable(phrase) else value


def fields(text: str) -> set[str]:
    """The :meth:`str.format` field names in ``text`` (both languages of an entry must use the same)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def pick(lang: str, zh: object, en: object) -> object:
    """A data value in ``lang``: ``en`` in English unless it is missing, else ``zh``.

    For the language columns of the layers (``name_zh`` / ``name_en``, ``role`` / ``role_en`` …):
    a missing English value falls back to the Chinese one rather than showing nothing.
    """
    if lang == "en" and not _missing(en):
        return en
    return zh


def other(lang: str, zh: object, en: object) -> object:
    """The data value in the language *not* shown by :func:`pick` (a tooltip's second line), or None."""
    if lang == "en":
        return None if _missing(en) else zh
    return en


def join_names(lang: str, values: object) -> object:
    """A list of names as one text: 、-separated in Chinese, comma-separated in English."""
    if isinstance(values, list | tuple):
        return ("、" if lang == "zh" else ", ").join(str(v) for v in values)
    return values


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return len(value) == 0
    try:
        return bool(pd.isna(value))  # NaN, None, pd.NA
    except (TypeError, ValueError):  # an array-like: not a missing scalar
        return False
