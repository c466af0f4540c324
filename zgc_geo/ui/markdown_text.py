"""Text someone else wrote, shown through Streamlit's Markdown exactly as written."""

from __future__ import annotations

import re
from typing import Final

# Markdown and LaTeX marks: names from a proxy header, findings quoting values written outside
# zgc-geo, must show as text, never as a link or formatting.
_MARKDOWN: Final = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def escaped(text: str) -> str:
    """``text`` with every Markdown mark escaped, so that Streamlit shows it exactly as written."""
    return _MARKDOWN.sub(r"\\\1", text)
