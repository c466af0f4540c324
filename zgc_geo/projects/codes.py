"""GB/T 4754-2017 industry codes: read as people write them, and the chain from a class up to its section.

A code names a 门类 section (``C``), a 大类 division (``30``), a 中类 group (``301``) or a 小类 class
(``3011``). People also write the section letter in front (``C3011``, as many registration forms do);
that letter must be the division's own. A rule on a code applies to every code below it, so screening
compares a project's chain (``C``, ``30``, ``301``, ``3011``) with the rules' codes.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import pandas as pd

from zgc_geo.catalogue import load_layer

#: The divisions each section spans (GB/T 4754-2017, 门类 A–T).
SECTION_DIVISIONS: Final = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
    "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75),
    "N": (76, 79), "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}  # fmt: skip
LEVELS: Final = ("section", "division", "group", "class")
_CODE: Final = re.compile(r"^(?P<letter>[A-T])?(?P<digits>\d{2,4})?$")


def section_of(division: str) -> str | None:
    """The section letter of a two-digit division, None if no section holds it."""
    number = int(division)
    return next((s for s, (low, high) in SECTION_DIVISIONS.items() if low <= number <= high), None)


def normalise_code(text: object) -> str | None:
    """The code as stored (``C``, ``30``, ``301``, ``3011``), or None when ``text`` is not one.

    Full-width characters, spaces and a lower-case letter are accepted; a letter in front of digits
    must be the section of the division (``C3011`` is ``3011``; ``A3011`` is no code).
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).upper()
    match = _CODE.match(cleaned)
    if not cleaned or match is None:
        return None
    letter, digits = match["letter"], match["digits"]
    if digits is None:
        return letter
    if section_of(digits[:2]) is None or (letter is not None and section_of(digits[:2]) != letter):
        return None
    return digits


def chain(code: str) -> tuple[str, ...]:
    """The code and every code above it, section first: ``3011`` → (``C``, ``30``, ``301``, ``3011``)."""
    if code.isalpha():
        return (code,)
    return (str(section_of(code[:2])), *(code[:n] for n in range(2, len(code) + 1)))


@dataclass(frozen=True)
class IndustryCodes:
    """The code list: each code's level, parent and names (``name_en`` may be empty below divisions)."""

    table: pd.DataFrame  # indexed by code

    def known(self, code: str) -> bool:
        """Whether ``code`` is in the list."""
        return code in self.table.index

    def name(self, code: str, lang: str = "zh") -> str:
        """The code's name in ``lang``; English falls back to the nearest named code above it, marked."""
        if lang == "zh" or not self.known(code):
            return str(self.table.at[code, "name_zh"]) if self.known(code) else code
        for above in reversed(chain(code)):
            english = str(self.table.at[above, "name_en"]) if self.known(above) else ""
            if english:
                return english if above == code else f"{english} › {self.table.at[code, 'name_zh']}"
        return str(self.table.at[code, "name_zh"])

    def label(self, code: str, lang: str = "zh") -> str:
        """``3011 水泥制造``: the code with its name, never the code alone."""
        return f"{code} {self.name(code, lang)}"


@cache
def _cached_codes(data_dir: Path | None) -> IndustryCodes:
    table = load_layer("industry_codes", data_dir)
    return IndustryCodes(table.set_index("code", drop=False))


def industry_codes(data_dir: Path | None = None) -> IndustryCodes:
    """The shipped GB/T 4754-2017 code list (``layers/industry_codes_gbt4754_2017.csv``), read once."""
    return _cached_codes(data_dir)
