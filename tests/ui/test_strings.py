"""The translation table: every key the code uses is there in both languages, and none is unused.

Keys are found by reading the sources with ``ast``: the first argument of every ``tr(…)`` /
``translate(…)`` call, and every string constant that looks like a key of one of the table's
namespaces (the key tables such as ``PARK_HEADINGS = {"name": "overview.col.park", …}``).
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from zgc_geo.i18n import (
    LANGS,
    PLAN_REFERENCE,
    MissingStringWarning,
    _flatten,
    fields,
    join_names,
    other,
    pick,
    strings,
    translate,
)

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    [
        ROOT / "app.py",
        *(ROOT / "zgc_geo").rglob("*.py"),
    ]
)
TRANSLATING_CALLS = {"tr", "translate"}
FILE_SUFFIXES = {"py", "toml", "csv", "json", "geojson", "gpkg", "html", "pdf", "png"}
NUMBER_FORMATS = {"common.pct"}
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _namespaces() -> set[str]:
    return {key.split(".")[0] for key in strings()}


def _key_like(value: str) -> bool:
    """A dotted name in one of the table's namespaces, not a file name ("stock.py")."""
    parts = value.split(".")
    return (
        re.fullmatch(r"[a-z_]+(?:\.[a-z0-9_]+)+", value) is not None
        and parts[0] in _namespaces()
        and parts[-1] not in FILE_SUFFIXES
    )


def _trees() -> dict[Path, ast.AST]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in SOURCES}


def _translating_calls(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) in TRANSLATING_CALLS
        and node.args
    ]


def _constants(tree: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_the_table_loads_with_both_languages_everywhere() -> None:
    table = strings()
    assert len(table) > 300
    for key, entry in table.items():
        assert set(entry) == set(LANGS), key
        assert all(entry[lang].strip() for lang in LANGS), f"[{key}] has an empty text"
        assert fields(entry["zh"]) == fields(entry["en"]), f"[{key}] zh and en use different placeholders"


def test_english_has_no_chinese_except_plan_references() -> None:
    offenders = {
        key: entry["en"]
        for key, entry in strings().items()
        if CJK.search(PLAN_REFERENCE.sub("", entry["en"]))
    }
    assert offenders == {}


def test_chinese_is_not_a_copy_of_the_english() -> None:
    # Every Chinese text has at least one character outside ASCII (汉字 or full-width punctuation),
    # except number formats, which Chinese writes as ASCII too ("40%", without the English space).
    offenders = [
        key for key, entry in strings().items() if entry["zh"].isascii() and key not in NUMBER_FORMATS
    ]
    assert offenders == []


def test_every_key_used_in_the_code_is_in_the_table() -> None:
    table = strings()
    missing: list[str] = []
    dynamic: list[str] = []
    for path, tree in _trees().items():
        where = path.relative_to(ROOT)
        for call in _translating_calls(tree):
            key = call.args[0]
            if isinstance(key, ast.JoinedStr):
                dynamic.append(f"{where}:{call.lineno}")
            elif isinstance(key, ast.Constant) and key.value not in table:
                missing.append(f"{where}:{call.lineno} {key.value}")
        missing += [
            f"{where}: {value}" for value in _constants(tree) if _key_like(value) and value not in table
        ]
    assert dynamic == [], "keys must be written out (f-strings cannot be checked)"
    assert missing == []


def test_no_key_in_the_table_is_unused() -> None:
    used = set().union(*(_constants(tree) for tree in _trees().values()))
    assert sorted(set(strings()) - used) == []


def test_translate_fills_fields_and_flags_unknown_keys() -> None:
    assert translate("stock.recorded", "en", plot="p1", status="Deferred") == "Recorded: p1 → Deferred"
    assert translate("overview.title", "zh") == "一区多园总览"
    with pytest.warns(MissingStringWarning, match="no.such.key"):
        assert translate("no.such.key", "en") == "no.such.key"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        translate("overview.title", "fr")


def test_data_values_are_picked_by_language() -> None:
    assert pick("en", "海淀园", "Haidian Park") == "Haidian Park"
    assert pick("zh", "海淀园", "Haidian Park") == "海淀园"
    assert pick("en", "海淀园", float("nan")) == "海淀园"  # no English value: the Chinese one
    assert other("zh", "海淀园", "Haidian Park") == "Haidian Park"
    assert other("en", "海淀园", "Haidian Park") == "海淀园"
    assert other("en", "海淀园", "") is None
    assert join_names("zh", ["甲", "乙"]) == "甲、乙" and join_names("en", ["a", "b"]) == "a, b"


@pytest.mark.parametrize(
    "text",
    [
        '[a.b]\nzh = "甲"\n',  # no English
        '[a.b]\nzh = "甲"\nen = "a"\nnote = "x"\n',  # something besides zh and en
        'a = "loose"\n',  # not a table
    ],
)
def test_malformed_entries_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"strings\.toml"):
        _flatten(tomllib.loads(text), "", {})


def test_the_table_is_shipped_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "ui/strings.toml" in config["tool"]["setuptools"]["package-data"]["zgc_geo"]
