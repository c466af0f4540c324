"""Reading a rendered folium page in tests: what its legend control says."""

from __future__ import annotations

import json
import re

_LEGEND_BODY = re.compile(r'div\.innerHTML = ("(?:[^"\\]|\\.)*")')


def legend_html(page: str) -> str:
    """The legend's HTML, decoded from the script that builds it (the page's first legend)."""
    found = _LEGEND_BODY.search(page)
    assert found, "no legend on the page"
    return str(json.loads(found.group(1)))
