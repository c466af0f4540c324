"""What a workbook shows for a field or a sheet in Chinese or English, from one table each.

Headers, units, number formats and meanings live in ``layers/export_fields.csv``; sheet names in
``layers/export_sheets.csv``; names of coded values that no other table names in
``layers/export_codes.csv``. Code, GIS formats and CSV keep the canonical field names; only the
workbook a person opens is labelled, and its 字段说明 / Fields sheet leads back to them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

import pandas as pd

from zgc_geo.catalogue import load_layer
from zgc_geo.errors import LayerError
from zgc_geo.i18n import Lang, translate
from zgc_geo.manifest import LIST_SEPARATOR
from zgc_geo.mapping.accuracy_text import accuracy_text
from zgc_geo.mapping.html_text import MISSING
from zgc_geo.mapping.overview_text import ZONE_GROUPS
from zgc_geo.stock.redevelopment import load_redevelopment_rules

#: The placeholder a field pattern may hold (``km_{park}``): filled with the park's name.
PARK_PLACEHOLDER: Final = "{park}"
#: Lists named by a layer: code list → (layer, id field); the names are its name_zh / name_en.
LAYER_LISTS: Final = {
    "park": ("parks", "park_id"),
    "cluster": ("clusters", "cluster_id"),
    "land_use_class": ("land_use_classes", "class_id"),
}
#: Lists the pages already name in ``zgc_geo/ui/strings.toml``: code list → code → text key (written
#: out, so that tests/ui/test_strings.py sees every key used).
TEXT_KEYS: Final[Mapping[str, Mapping[str, str]]] = {
    "inefficiency": {
        "approved_unsupplied": "stock.col.kind_approved_unsupplied",
        "supplied_unused": "stock.col.kind_supplied_unused",
        "underused": "stock.col.kind_underused",
        "built_not_operating": "stock.col.kind_built_not_operating",
        "below_standard": "stock.col.kind_below_standard",
    },
    "action": {
        "decide": "stock.action.decide",
        "undo": "stock.action.undo",
        "import": "stock.action.import",
        "replace": "stock.action.replace",
        "acknowledge": "stock.action.acknowledge",
        "upgrade": "stock.action.upgrade",
        "copy": "stock.action.copy",
        "grant": "stock.action.grant",
        "revoke": "stock.action.revoke",
        "refuse": "stock.action.refuse",
    },
    "severity": {
        "error": "data.severity.error",
        "warning": "data.severity.warning",
        "info": "data.severity.info",
    },
    "zone_group": ZONE_GROUPS,  # the BTH cooperation zones' groups, as the map names them
}
#: The lists whose names are written beside an id (``code_list`` of export_fields.csv).
CODE_LISTS: Final = (
    *LAYER_LISTS,
    "review_status",
    "mode",
    *TEXT_KEYS,
    "land_rights",
    "role",
    "finding",
    "redevelopment_rule",
    "location_accuracy",
)
#: The decimals of an Excel number format: the zeros after its point, two more for a percentage.
_DECIMALS = re.compile(r"\.(0+)")


@dataclass(frozen=True)
class FieldLabel:
    """One row of ``export_fields.csv``: a canonical field as a workbook shows it."""

    field: str
    label_zh: str
    label_en: str
    unit: str
    number_format: str
    code_list: str
    meaning_zh: str
    meaning_en: str

    def label(self, lang: Lang) -> str:
        """The header in ``lang``."""
        return self.label_en if lang == "en" else self.label_zh

    def meaning(self, lang: Lang) -> str:
        """What the field holds, in ``lang``."""
        return self.meaning_en if lang == "en" else self.meaning_zh

    @property
    def decimals(self) -> int | None:
        """The decimals its number format shows (values are rounded to them), or None without a format."""
        if not self.number_format:
            return None
        found = _DECIMALS.search(self.number_format)
        places = len(found.group(1)) if found else 0
        return places + 2 if self.number_format.endswith("%") else places


@functools.cache
def field_labels() -> Mapping[str, FieldLabel]:
    """Every row of ``export_fields.csv`` by field name (read once per process).

    Raises
    ------
    LayerError
        A field repeats, or a ``code_list`` is not one of :data:`CODE_LISTS`.
    """
    table = load_layer("export_fields")
    rows = [FieldLabel(**{k: str(v) for k, v in row.items()}) for row in table.to_dict("records")]
    problems = [
        f"export_fields.csv line {i + 2}: field {row.field!r} repeats"
        for i, row in enumerate(rows)
        if row.field in {r.field for r in rows[:i]}
    ]
    problems += [
        f"export_fields.csv line {i + 2}: code_list {row.code_list!r} is not one of {', '.join(CODE_LISTS)}"
        for i, row in enumerate(rows)
        if row.code_list and row.code_list not in CODE_LISTS
    ]
    if problems:
        raise LayerError("; ".join(problems))
    return {row.field: row for row in rows}


@functools.cache
def _sheet_names() -> Mapping[str, tuple[str, str]]:
    table = load_layer("export_sheets")
    return {row.sheet: (row.name_zh, row.name_en) for row in table.itertuples()}


def sheet_label(key: str, lang: Lang) -> str:
    """The sheet named ``key`` in ``lang``; a sheet the table does not know keeps its key."""
    names = _sheet_names().get(key)
    if names is None:
        return key
    return names[1] if lang == "en" else names[0]


def field_label(column: str, lang: Lang) -> FieldLabel | None:
    """The row for ``column``: its own, or a ``{park}`` pattern's filled with the park's name; else None."""
    labels = field_labels()
    if column in labels:
        return labels[column]
    parks = code_names("park", lang)
    for pattern in (row for row in labels.values() if PARK_PLACEHOLDER in row.field):
        prefix, _, suffix = pattern.field.partition(PARK_PLACEHOLDER)
        park = column.removeprefix(prefix).removesuffix(suffix) if column.startswith(prefix) else None
        if park is not None and column.endswith(suffix) and park in parks:
            filled = {
                "label_zh": pattern.label_zh.replace(PARK_PLACEHOLDER, code_names("park", "zh")[park]),
                "label_en": pattern.label_en.replace(PARK_PLACEHOLDER, code_names("park", "en")[park]),
            }
            return FieldLabel(**{**pattern.__dict__, "field": column, **filled})
    return None


@functools.cache
def code_names(code_list: str, lang: Lang) -> Mapping[str, str]:
    """Id → name in ``lang`` for one of :data:`CODE_LISTS`, from the table that already names it.

    Parks, clusters and land-use classes come from their layers, review statuses from the
    workspace, redevelopment modes and rules from ``layers/redevelopment_rules.toml``, location grades
    by :func:`~zgc_geo.mapping.accuracy_text.accuracy_text`, cooperation-zone groups and inefficiency kinds,
    audit actions and report severities from the page texts, the rest from ``export_codes.csv``.
    """
    zh = lang != "en"
    if code_list == "review_status":
        from zgc_geo.workspace.store import REVIEW_STATUSES  # noqa: PLC0415 - the workspace package is large

        return {key: (label.zh if zh else label.en) for key, label in REVIEW_STATUSES.items()}
    if code_list in ("mode", "redevelopment_rule"):
        return _redevelopment_names(code_list, zh)
    if code_list == "location_accuracy":
        return _Grades(lang)
    if code_list in TEXT_KEYS:
        return {code: translate(key, lang) for code, key in TEXT_KEYS[code_list].items()}
    if code_list in LAYER_LISTS:
        layer, id_field = LAYER_LISTS[code_list]
        table = load_layer(layer)
        names = table["name_zh" if zh else "name_en"]
        # export_codes.csv names the rows an analysis adds to a layer's list (分园汇总's outside/total rows)
        return {
            **dict(zip(table[id_field].astype(str), names.astype(str), strict=True)),
            **_listed(code_list, zh),
        }
    return _listed(code_list, zh)


def _redevelopment_names(code_list: str, zh: bool) -> dict[str, str]:
    """Modes by their labels, rules by their texts, from ``layers/redevelopment_rules.toml``."""
    rules = load_redevelopment_rules()
    if code_list == "mode":
        return {key: names[0 if zh else 1] for key, names in rules.labels.items()}
    return {rule.id: rule.text_zh if zh else rule.text_en for rule in rules.rules}


class _Grades(Mapping[str, str]):
    """Location grades (``approximate (±5 km)``: a code with a tolerance) by their words in a language.

    The grades are not a closed list, so each is worded when asked (:func:`accuracy_text`); a grade
    it does not know has no name.
    """

    def __init__(self, lang: Lang) -> None:
        self._lang = lang

    def __getitem__(self, grade: str) -> str:
        worded = accuracy_text(grade, self._lang)
        if worded in (grade, MISSING):
            raise KeyError(grade)
        return worded

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _listed(code_list: str, zh: bool) -> dict[str, str]:
    table = _export_codes()
    mine = table[table["code_list"] == code_list]
    return dict(zip(mine["code"], mine["name_zh" if zh else "name_en"], strict=True))


def name_of(value: object, names: Mapping[str, str], lang: Lang) -> str | None:
    """The name of a code, or of each code of a ``;``-separated list (joined as the language lists); None
    when a code has no name."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value)
    if text in names:
        return names[text]
    parts = [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
    if len(parts) < 2 or not all(part in names for part in parts):
        return None
    return ("、" if lang == "zh" else "; ").join(names[part] for part in parts)


@functools.cache
def _export_codes() -> pd.DataFrame:
    table = load_layer("export_codes")
    repeated = table[table.duplicated(["code_list", "code"])]
    if len(repeated):
        first = repeated.iloc[0]
        raise LayerError(f"export_codes.csv: code {first.code!r} of {first.code_list!r} repeats")
    return table
