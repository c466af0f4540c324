"""How exactly a layer's feature is located, said in the reader's language.

The layers grade every estimated location with a short English code, e.g. ``approximate
(±5 km)`` or ``uncertain`` (see ``layers/manifest.toml``). Pages, tooltips and tables show it
as words in ``zh`` or ``en`` from the translation table; a grade the table does not know is
shown as written rather than hidden.
"""

from __future__ import annotations

import math
import re
from typing import Final

from zgc_geo.i18n import translate
from zgc_geo.mapping.html_text import MISSING

#: Grades with a tolerance, e.g. "schematic (±1 km)".
_WITH_KM: Final = {
    "schematic": "map.accuracy.schematic",
    "approximate": "map.accuracy.approximate",
    "indicative": "map.accuracy.indicative",
}
#: Grades without one.
_PLAIN: Final = {
    "administrative boundary": "map.accuracy.administrative_boundary",
    "site": "map.accuracy.site",
    "area": "map.accuracy.area",
    "park": "map.accuracy.park",
    "uncertain": "map.accuracy.uncertain",
}
_GRADE: Final = re.compile(r"^(?P<word>[a-z][a-z ]*?)\s*(?:\(\s*±\s*(?P<km>\d+(?:\.\d+)?)\s*km\s*\))?$")


def accuracy_text(value: object, lang: str) -> str:
    """The grade ``value`` in ``lang``: ``approximate (±5 km)`` → ``近似位置（±5 km）``; "—" if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    raw = str(value).strip()
    match = _GRADE.match(raw.lower())
    if not raw:
        return MISSING
    if match is None:
        return raw
    word, km = match.group("word"), match.group("km")
    if km is not None and word in _WITH_KM:
        return translate(_WITH_KM[word], lang, km=km)
    if km is None and word in _PLAIN:
        return translate(_PLAIN[word], lang)
    return raw
