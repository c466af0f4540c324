"""Recognise the columns of a plot inventory under any of their Chinese or English names.

Land bureaus name the same column in many ways (地块编号, 宗地号, plot_id …) and put the
unit in the header (面积（亩）). The names live in ``layers/import_column_aliases.csv`` so a
user can add their own; this module matches headers against them, remembers the unit each
header names, and renames the columns to the canonical schema of
:mod:`zgc_geo.importing.plots`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pandas as pd

from zgc_geo.catalogue import load_layer
from zgc_geo.crs import M2_PER_HA, M2_PER_KM2, M2_PER_MU
from zgc_geo.errors import LayerError, OptionError
from zgc_geo.i18n import Sentence
from zgc_geo.importing.report import Problem

#: The fields an inventory may provide, in output order. The alias table maps onto these;
#: code downstream relies on exactly these names, so they are a contract, not a vocabulary.
CANONICAL_FIELDS: Final = (
    "plot_id",
    "name",
    "park_id",
    "land_use_code",
    "land_use_class",
    "area_reported",
    "far_current",
    "far_permitted",
    "floor_area_m2",
    "idle_since",
    "land_rights",
    "owner",
    "status",
    "output_per_mu_wan",
    "tax_per_mu_wan",
)
#: Columns computed by normalise_plots; a source column with one of these names is renamed.
DERIVED_FIELDS: Final = ("area_m2", "area_mu", "area_reported_m2", "geometry")
#: Suffix given to an extra source column whose name clashes with a canonical one.
CLASH_SUFFIX: Final = "_source"

#: Unit words a header may carry, per kind of quantity, most specific first (万平方米 before
#: 平方米, km2 before m2), with the factor to the canonical unit (m² for areas, 万元 for money).
_AREA_UNITS: Final = (
    ("km2", r"平方公里|平方千米|km2", M2_PER_KM2),
    ("wan_m2", r"万平方米|万m2", 10_000.0),
    ("ha", r"公顷|hm2|(?<![a-z])ha(?![a-z])", M2_PER_HA),
    ("mu", r"亩|(?<![a-z])mu(?![a-z])", M2_PER_MU),
    ("m2", r"平方米|平米|m2|sqm", 1.0),
)
_MONEY_UNITS: Final = (("yi", r"亿元", 10_000.0), ("wan", r"万元", 1.0), ("yuan", r"元", 1e-4))
_UNIT_KINDS: Final = {
    "area_reported": _AREA_UNITS,
    "floor_area_m2": _AREA_UNITS,
    "output_per_mu_wan": _MONEY_UNITS,
    "tax_per_mu_wan": _MONEY_UNITS,
}
_UNIT_WORDS: Final = r"万平方米|平方公里|平方千米|平方米|平米|公顷|亩|亿元|万元|元|km2|hm2|m2|sqm|ha|mu"
_UNITS_IN_BRACKETS: Final = re.compile(rf"\(\s*(?:(?:{_UNIT_WORDS})[\s/]*)+\)")
_TRAILING_UNIT: Final = re.compile(rf"(?:{_UNIT_WORDS})[\W_]*$")
_BRACKETED: Final = re.compile(r"^(.*?)\((.*)\)\s*$")
_NON_WORD: Final = re.compile(r"[\W_]+")


def fold(text: object) -> str:
    """``text`` with full-width forms made half-width (NFKC), lower-cased and stripped.

    NFKC also turns ㎡ into ``m2`` and （） into (), so one rule covers most header styles.
    """
    folded = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return folded.replace("【", "(").replace("】", ")").replace("[", "(").replace("]", ")")


def header_key(text: object) -> str:
    """The matching key of a header or alias: folded, with spaces and punctuation removed."""
    return _NON_WORD.sub("", fold(text))


def _candidate_keys(header: object) -> list[str]:
    """Keys to try for one header, most literal first.

    ``面积（亩）`` → ``面积亩`` then ``面积`` (unit removed); ``容积率（规划）`` → … then
    ``规划容积率`` (qualifier moved in front, as Chinese writes it) and last ``容积率``.
    """
    folded = fold(header)
    without_units = _UNITS_IN_BRACKETS.sub("", folded)
    for _ in range(3):  # 亩均产值万元/亩: strip 亩, then 万元
        without_units = _TRAILING_UNIT.sub("", without_units) or without_units
    keys = [folded, without_units]
    bracketed = _BRACKETED.match(folded)
    if bracketed:
        keys += [bracketed.group(2) + bracketed.group(1), bracketed.group(1)]
    return list(dict.fromkeys(k for k in (header_key(k) for k in keys) if k))


def header_unit(canonical: str, header: object) -> str | None:
    """The unit a header names for ``canonical`` (``mu`` for 面积（亩）), or None if it names none."""
    folded = fold(header)
    for unit, pattern, _factor in _UNIT_KINDS.get(canonical, ()):
        if re.search(pattern, folded):
            return unit
    return None


def unit_factor(canonical: str, unit: str | None) -> float:
    """Factor from ``unit`` to the canonical unit of ``canonical`` (1.0 when no unit is named)."""
    for name, _pattern, factor in _UNIT_KINDS.get(canonical, ()):
        if name == unit:
            return factor
    return 1.0


def load_aliases(data_dir: Path | None = None) -> dict[str, str]:
    """Header key → canonical field, from ``layers/import_column_aliases.csv``, in file order.

    The order is the preference order: when two columns match the same field, the one
    whose alias comes first wins. Every bad row is reported at once.
    """
    table = load_layer("import_column_aliases", data_dir)
    aliases: dict[str, str] = {}
    first_row: dict[str, int] = {}
    problems: list[str] = []
    for position, (canonical, alias) in enumerate(zip(table["canonical_field"], table["alias"], strict=True)):
        line = position + 2  # the header is line 1
        key = header_key(alias)
        if canonical not in CANONICAL_FIELDS:
            problems.append(
                f"line {line}, field 'canonical_field': {canonical!r} is not a canonical field; "
                f"use one of {', '.join(CANONICAL_FIELDS)}"
            )
        elif not key:
            problems.append(f"line {line}, field 'alias': empty alias; delete the line or fill it in")
        elif aliases.get(key, canonical) != canonical:
            problems.append(
                f"line {line}, field 'alias': {alias!r} already names {aliases[key]!r} on line "
                f"{first_row[key]}; an alias may name one field only"
            )
        elif key not in aliases:
            aliases[key], first_row[key] = canonical, line
    if problems:
        raise LayerError("layers/import_column_aliases.csv: " + "; ".join(problems))
    return aliases


@dataclass(frozen=True)
class ColumnMapping:
    """Which source column holds each canonical field, and the unit its header names.

    ``conflicts`` lists ``(field, used column, ignored column)`` for fields claimed by
    several columns; the ignored columns stay in the data as extra columns.
    """

    fields: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    conflicts: tuple[tuple[str, str, str], ...] = ()

    def source(self, canonical: str) -> str | None:
        """The source column of ``canonical``, or None when the data lacks it."""
        return self.fields.get(canonical)

    def factor(self, canonical: str) -> float:
        """Factor from the unit named in the source header to the canonical unit."""
        return unit_factor(canonical, self.units.get(canonical))

    def with_overrides(
        self, overrides: Mapping[str, str | None], columns: Sequence[object] | None = None
    ) -> ColumnMapping:
        """This mapping with the user's choices applied: ``{field: column}``, or ``""``/None to unmap.

        A column chosen for one field is taken away from any field it was guessed for;
        conflicts about overridden fields are settled and no longer reported.
        """
        unknown = [name for name in overrides if name not in CANONICAL_FIELDS]
        if unknown:
            raise OptionError(
                f"unknown field(s) {', '.join(map(repr, unknown))} in the column mapping; "
                f"valid fields: {', '.join(CANONICAL_FIELDS)}"
            )
        names = None if columns is None else [str(c) for c in columns]
        chosen = {name: column for name, column in overrides.items() if column}
        if names is not None:
            missing = [f"{k}={v!r}" for k, v in chosen.items() if v not in names]
            if missing:
                raise OptionError(
                    f"the column mapping names column(s) not in the data: {', '.join(missing)}; "
                    f"columns: {', '.join(names)}"
                )
        fields = {k: v for k, v in self.fields.items() if k not in overrides and v not in chosen.values()}
        fields.update(chosen)
        units = {k: u for k, v in fields.items() if (u := header_unit(k, v))}
        conflicts = tuple(c for c in self.conflicts if c[0] not in overrides and c[2] not in chosen.values())
        return ColumnMapping(fields=fields, units=units, conflicts=conflicts)


def guess_mapping(columns: Sequence[object], aliases: Mapping[str, str] | None = None) -> ColumnMapping:
    """Match headers to canonical fields by their aliases (see :func:`load_aliases`).

    Headers are compared folded (full-width → half-width, case, spaces and punctuation
    ignored), then without the unit (面积（亩）), then with a bracketed qualifier moved in
    front (容积率（规划）→ 规划容积率). The unit a header names is kept for conversion.
    """
    aliases = load_aliases() if aliases is None else aliases
    rank = {key: position for position, key in enumerate(aliases)}
    claims: dict[str, list[tuple[int, int, str]]] = {}
    for position, column in enumerate(columns):
        for key in _candidate_keys(column):
            if key in aliases:
                claims.setdefault(aliases[key], []).append((rank[key], position, str(column)))
                break
    fields: dict[str, str] = {}
    conflicts: list[tuple[str, str, str]] = []
    for canonical in CANONICAL_FIELDS:
        ranked = sorted(claims.get(canonical, []))
        if ranked:
            fields[canonical] = ranked[0][2]
            conflicts += [(canonical, ranked[0][2], loser) for _r, _p, loser in ranked[1:]]
    units = {k: u for k, v in fields.items() if (u := header_unit(k, v))}
    return ColumnMapping(fields=fields, units=units, conflicts=tuple(conflicts))


def apply_mapping(
    frame: pd.DataFrame, mapping: ColumnMapping, *, overrides: Mapping[str, str | None] | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Rename mapped columns to their canonical names; keep every other column as it is.

    An extra column whose name clashes with a canonical or computed one gets
    ``_source`` appended (an info says so). Conflicting columns are reported as
    ``column_ambiguous`` warnings. Values are not changed here.
    """
    geometry = frame.geometry.name if hasattr(frame, "geometry") else None
    attributes = [c for c in frame.columns if c != geometry]
    if overrides:
        mapping = mapping.with_overrides(overrides, attributes)
    by_name = {str(c): c for c in attributes}
    absent = [f"{k}={v!r}" for k, v in mapping.fields.items() if v not in by_name]
    if absent:
        raise OptionError(
            f"the column mapping names column(s) not in the data: {', '.join(absent)}; "
            f"columns: {', '.join(by_name)}"
        )
    problems = [
        Problem(
            "warning",
            "column_ambiguous",
            f"columns {used!r} and {ignored!r} both look like {canonical}; using {used!r}",
            f"if {ignored!r} holds the {canonical}, choose it in the column mapping; "
            f"{ignored!r} is kept as an extra column",
            field=canonical,
            value=ignored,
            text=Sentence(
                "import.problem.column_ambiguous", {"used": used, "ignored": ignored, "field": canonical}
            ),
            page_hint=Sentence("import.page_hint.column_ambiguous", {"ignored": ignored, "field": canonical}),
        )
        for canonical, used, ignored in mapping.conflicts
    ]
    renames = {by_name[source]: canonical for canonical, source in mapping.fields.items()}
    taken = set(CANONICAL_FIELDS) | set(DERIVED_FIELDS) | {str(c) for c in attributes if c not in renames}
    for column in attributes:
        if column in renames or str(column) not in set(CANONICAL_FIELDS) | set(DERIVED_FIELDS):
            continue
        new, number = f"{column}{CLASH_SUFFIX}", 2
        while new in taken:
            new, number = f"{column}{CLASH_SUFFIX}{number}", number + 1
        taken.add(new)
        renames[column] = new
        problems.append(
            Problem(
                "info",
                "column_renamed",
                f"extra column {column!r} is kept as {new!r}: {column!r} is a column of the canonical schema",
                "map it to the field in the column mapping if it holds that field",
                field=str(column),
                text=Sentence("import.problem.column_renamed", {"column": str(column), "new": new}),
                page_hint=Sentence("import.page_hint.column_renamed"),
            )
        )
    return frame.rename(columns=renames), problems
