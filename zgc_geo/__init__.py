"""zgc-geo: planning workbench for the Zhongguancun National Independent Innovation Demonstration Zone."""

from __future__ import annotations

__version__ = "0.1.0"
