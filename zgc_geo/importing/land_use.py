"""Read land-use codes and names of any Chinese scheme into one class list.

Inventories write land use as GB 50137-2011 codes (M1), GB/T 21010 codes (0601), codes of
the 2023 用地用海分类指南 (100101), Chinese names (一类工业用地) or mixtures (``M1 一类工业``).
The codes and classes are data (``layers/land_use_codes.csv``, ``layers/land_use_classes.csv``).
The same code can mean different things in different schemes (0601 is 工业用地 in GB/T 21010
but 乡村道路用地 in the 2023 guide); such values are settled by the scheme the rest of the
column uses, else by the reading that makes the plot industrial land (this is an
inventory of industrial land), and are always reported.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from zgc_geo.catalogue import load_layer
from zgc_geo.errors import LayerError
from zgc_geo.i18n import Sentence
from zgc_geo.importing.report import Problem

#: The catch-all class of recognised codes that are none of the named classes.
OTHER_CLASS: Final = "other"
#: A code followed by a Chinese name: ``M1 一类工业``, ``0601-工业用地``.
_MIXED: Final = re.compile(r"^([A-Z0-9]+)[\W_]*([^\x00-\x7F].*)$")
_NAME_SUFFIX: Final = "用地"


@dataclass(frozen=True)
class Reading:
    """One meaning of a value: a class, and the scheme and name it comes from (None for class names)."""

    class_id: str
    scheme: str | None
    name_zh: str


@dataclass(frozen=True)
class LandUseVocabulary:
    """Codes and names of every scheme, indexed for matching, and the class list."""

    by_code: dict[str, tuple[Reading, ...]]
    by_name: dict[str, tuple[Reading, ...]]
    industrial: frozenset[str]
    schemes: tuple[str, ...]


def _clean(value: object) -> str:
    """Full-width → half-width, all whitespace removed, upper case (codes are case-insensitive)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).upper()


def _name_keys(name: str) -> list[str]:
    key = _clean(name)
    return [key, key.removesuffix(_NAME_SUFFIX)] if key.endswith(_NAME_SUFFIX) else [key]


def load_vocabulary(data_dir: Path | None = None) -> LandUseVocabulary:
    """Load and cross-check the code and class tables; every bad row is reported at once."""
    classes = load_layer("land_use_classes", data_dir)
    codes = load_layer("land_use_codes", data_dir)
    problems = [
        f"land_use_classes.csv line {i + 2}, field 'industrial': {v!r} is not true or false"
        for i, v in enumerate(classes["industrial"])
        if v.strip().lower() not in {"true", "false"}
    ]
    if OTHER_CLASS not in set(classes["class_id"]):
        problems.append(f"land_use_classes.csv lacks the catch-all class {OTHER_CLASS!r}")
    known = set(classes["class_id"])
    seen: dict[tuple[str, str], int] = {}
    by_code: dict[str, list[Reading]] = {}
    by_name: dict[str, list[Reading]] = {}
    for i, row in enumerate(codes.itertuples(index=False)):
        line, key = i + 2, (row.scheme, _clean(row.code))
        if row.class_id not in known:
            problems.append(
                f"land_use_codes.csv line {line}, field 'class_id': {row.class_id!r} "
                "is not a class_id of land_use_classes.csv"
            )
        if key in seen:
            problems.append(
                f"land_use_codes.csv line {line}: {row.scheme} code {row.code!r} repeats line {seen[key]}"
            )
        seen.setdefault(key, line)
        reading = Reading(row.class_id, row.scheme, row.name_zh)
        by_code.setdefault(key[1], []).append(reading)
        for name_key in _name_keys(row.name_zh):
            by_name.setdefault(name_key, []).append(reading)
    if problems:
        raise LayerError("; ".join(problems))
    for row in classes.itertuples(index=False):
        for text in (row.class_id, row.name_en, *_name_keys(row.name_zh)):
            by_name.setdefault(_clean(text), []).append(Reading(row.class_id, None, row.name_zh))
    return LandUseVocabulary(
        by_code={k: tuple(v) for k, v in by_code.items()},
        by_name={k: tuple(v) for k, v in by_name.items()},
        industrial=frozenset(
            classes.loc[classes["industrial"].str.strip().str.lower() == "true", "class_id"]
        ),
        schemes=tuple(dict.fromkeys(codes["scheme"])),
    )


def _readings(value: object, vocab: LandUseVocabulary) -> tuple[tuple[Reading, ...], tuple[str, str] | None]:
    """Every reading of one value, and (code, name) when its name part contradicts its code part."""
    numeric = isinstance(value, int | float | np.integer | np.floating)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    text = _clean(value)
    # A code typed into a number cell loses its leading zero (0601 → 601).
    for key in (text, "0" + text) if numeric else (text,):
        if key in vocab.by_code:
            return vocab.by_code[key], None
    if text in vocab.by_name:
        return vocab.by_name[text], None
    mixed = _MIXED.match(text)
    if not mixed:
        return (), None
    code, rest = mixed.groups()
    if code not in vocab.by_code:
        return vocab.by_name.get(rest, ()), None
    named = [r for r in vocab.by_code[code] if set(_name_keys(r.name_zh)) & {rest, rest + _NAME_SUFFIX}]
    return (tuple(named), None) if named else (vocab.by_code[code], (code, rest))


def _describe(readings: tuple[Reading, ...] | list[Reading]) -> str:
    return ", ".join(f"{r.name_zh} ({r.class_id}) in {r.scheme or 'the class list'}" for r in readings)


def classify_land_use(
    codes: pd.Series,
    *,
    first_row_number: int = 1,
    field: str = "land_use_code",
    vocabulary: LandUseVocabulary | None = None,
    row_numbers: np.ndarray | None = None,
) -> tuple[pd.Series, pd.Series, list[Problem]]:
    """The land-use class and scheme of every value, and the problems found.

    Matching, per distinct value: the code (case, spaces and full-width forms ignored),
    then the Chinese name (一类工业用地 or 一类工业) or a class id/name, then a code followed
    by a name (``M1 一类工业``). Empty values give <NA> silently; unknown values give <NA>
    and one ``land_use_unknown`` warning per distinct value, listing its rows. Rows are
    numbered by position from ``first_row_number``, or by ``row_numbers`` (one per value)
    when the rows are not consecutive.
    """
    vocab = vocabulary or load_vocabulary()
    positions, uniques = pd.factorize(codes, use_na_sentinel=True)
    texts = [str(u).strip() for u in uniques]
    found = [_readings(u, vocab) if t else ((), None) for u, t in zip(uniques, texts, strict=True)]
    counts = np.bincount(positions[positions >= 0], minlength=len(uniques))
    votes: Counter[str] = Counter()
    for (readings, _rest), count in zip(found, counts, strict=True):
        schemes = {r.scheme for r in readings if r.scheme is not None}
        if len(schemes) == 1 and all(r.scheme for r in readings):
            votes[schemes.pop()] += int(count)
    top = votes.most_common(2)
    dominant = top[0][0] if top and (len(top) == 1 or top[0][1] > top[1][1]) else None

    class_of: list[str | None] = []
    scheme_of: list[str | None] = []
    templates: list[list[tuple[str, str, str]]] = []
    mismatches: list[tuple[str, str] | None] = []
    hint_unknown = (
        f"use a code or name of {', '.join(vocab.schemes)} (e.g. M1, 0601, 100101 or 一类工业用地); "
        "add a local code to layers/land_use_codes.csv"
    )
    for text, (readings, mismatch) in zip(texts, found, strict=True):
        chosen, notes = _choose(readings, dominant, vocab)
        class_of.append(chosen.class_id if chosen else None)
        scheme_of.append(_scheme(chosen, readings, dominant))
        row_notes: list[tuple[str, str, str]] = []
        if text and not readings:
            row_notes.append(
                ("land_use_unknown", f"land-use code {text!r} is not in any known scheme", hint_unknown)
            )
        if mismatch is not None:
            row_notes.append(
                (
                    "land_use_name_mismatch",
                    f"the name {mismatch[1]!r} does not match code {mismatch[0]!r} "
                    f"({_describe(readings)}); the code is used",
                    "correct the code or the name",
                )
            )
        if notes:
            row_notes.append(
                (
                    "land_use_code_ambiguous",
                    notes,
                    "write the name with the code (e.g. '0601 工业用地') "
                    "or use the codes of one scheme throughout the column",
                )
            )
        templates.append(row_notes)
        mismatches.append(mismatch)

    # One problem per distinct value, not per row: an inventory of 5,000 rows coded "0601"
    # needs one explanation, with the rows it concerns, not 5,000 identical lines.
    problems = []
    for u, value_notes in enumerate(templates):
        if not value_notes:
            continue
        at = np.flatnonzero(positions == u)
        rows = at + first_row_number if row_numbers is None else np.asarray(row_numbers)[at]
        # A single row is already named by the problem's own row; several are listed.
        where = f" ({_rows_text(rows)})" if len(rows) > 1 else ""
        values: dict[str, object] = {"value": texts[u], "count": len(rows), "rows": _rows_listed(rows)}
        if (mismatch := mismatches[u]) is not None:
            values |= {"code": mismatch[0], "name": mismatch[1]}
        many = len(rows) > 1
        problems += [
            Problem(
                "warning", code, f"{message}{where}", hint, row=int(rows[0]), field=field, value=texts[u],
                text=Sentence(_TEXTS[code][many], values), page_hint=Sentence(_TEXTS[code][2]),
            )
            for code, message, hint in value_notes
        ]  # fmt: skip
    index = codes.index
    # Each row takes its distinct value's answer (code -1, a missing value, takes the leading None).
    class_rows = np.array([None, *class_of], dtype=object)[positions + 1]
    scheme_rows = np.array([None, *scheme_of], dtype=object)[positions + 1]
    classes = pd.Series(class_rows, index=index, dtype="string")
    schemes = pd.Series(scheme_rows, index=index, dtype="string")
    return classes.rename("land_use_class"), schemes.rename("land_use_scheme"), problems


#: The Data page's texts of each finding: (one row, several rows, hint) keys.
_TEXTS: Final = {
    "land_use_unknown": (
        "import.problem.land_use_unknown",
        "import.problem.land_use_unknown_rows",
        "import.page_hint.land_use_unknown",
    ),
    "land_use_name_mismatch": (
        "import.problem.land_use_name_mismatch",
        "import.problem.land_use_name_mismatch_rows",
        "import.page_hint.land_use_name_mismatch",
    ),
    "land_use_code_ambiguous": (
        "import.problem.land_use_code_ambiguous",
        "import.problem.land_use_code_ambiguous_rows",
        "import.page_hint.land_use_code_ambiguous",
    ),
}


def _rows_listed(rows: np.ndarray, shown: int = 10) -> str:
    """``2, 3, 5, …``: the first rows of a value, as in :func:`_rows_text`."""
    return ", ".join(str(int(r)) for r in rows[:shown]) + (", …" if len(rows) > shown else "")


def _rows_text(rows: np.ndarray, shown: int = 10) -> str:
    """``12 rows: 2, 3, 5, …`` — enough row numbers to find them, not a flood."""
    return f"{len(rows)} rows: {_rows_listed(rows, shown)}"


def _scheme(chosen: Reading | None, readings: tuple[Reading, ...], dominant: str | None) -> str | None:
    """The scheme of the chosen reading; None when several schemes agree on its class and none dominates."""
    if chosen is None:
        return None
    schemes = {r.scheme for r in readings if r.class_id == chosen.class_id}
    if len(schemes) == 1:
        return chosen.scheme
    return dominant if dominant in schemes else None


def _choose(
    readings: tuple[Reading, ...], dominant: str | None, vocab: LandUseVocabulary
) -> tuple[Reading | None, str]:
    """The reading to use and, when the value meant several classes, a note saying how it was read."""
    if len({r.class_id for r in readings}) <= 1:
        return (readings[0] if readings else None), ""
    in_dominant = [r for r in readings if r.scheme == dominant]
    if len({r.class_id for r in in_dominant}) == 1:
        return in_dominant[0], ""

    def rank(r: Reading) -> int:
        return 0 if r.class_id in vocab.industrial else 2 if r.class_id == OTHER_CLASS else 1

    best = min(rank(r) for r in readings)
    top = [r for r in readings if rank(r) == best]
    meanings = f"means {_describe(readings)}"
    if len({r.class_id for r in top}) == 1:
        return top[0], f"the code {meanings}; read as {top[0].class_id} ({top[0].name_zh}, {top[0].scheme})"
    return None, f"the code {meanings}; left unclassified"
