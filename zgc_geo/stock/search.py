"""Finding plots by what a planner remembers of them: part of the id or of the (Chinese) name.

Pure pandas, vectorised, so the stock page can search a 20,000-plot inventory on every keystroke.
Text is compared after Unicode NFKC folding and case folding, so full-width digits (２６号), a
capitalised id or a pasted name with odd spacing still match what is stored.
"""

from __future__ import annotations

import unicodedata
from typing import Final

import numpy as np
import pandas as pd

from zgc_geo.cells import as_text

#: Matches offered at most (the best first): a longer list helps nobody pick.
SEARCH_LIMIT: Final = 50


def _folded(values: pd.Series) -> pd.Series:
    text = as_text(values)
    return text.str.normalize("NFKC").str.casefold().str.replace(r"\s+", "", regex=True)


def fold_query(query: str) -> str:
    """``query`` as it is compared: NFKC, case-folded, without white space."""
    return "".join(unicodedata.normalize("NFKC", query).casefold().split())


def find_plots(plots: pd.DataFrame, query: str, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
    """The plots whose id or name contains ``query``, best first, at most ``limit``.

    Best first: an exact id or name, then ids and names starting with the query, then the rest;
    within each, by ``priority_rank`` (when the plots have one) and then by id — so the order
    never depends on the row order of the inventory. An empty query finds nothing.
    """
    wanted = fold_query(query)
    if not wanted:
        return plots.iloc[:0]
    ids = _folded(plots["plot_id"])
    names = _folded(plots["name"]) if "name" in plots.columns else pd.Series("", index=plots.index)
    hit = (ids.str.contains(wanted, regex=False) | names.str.contains(wanted, regex=False)).to_numpy()
    exact = ((ids == wanted) | (names == wanted)).to_numpy()
    prefix = (ids.str.startswith(wanted) | names.str.startswith(wanted)).to_numpy()
    tier = np.where(exact, 0, np.where(prefix, 1, 2))
    rank = (
        pd.to_numeric(plots["priority_rank"], errors="coerce").fillna(np.inf).to_numpy()
        if "priority_rank" in plots.columns
        else np.zeros(len(plots))
    )
    order = np.lexsort((plots["plot_id"].astype(str).to_numpy(), rank, tier))
    order = order[hit[order]]
    return plots.iloc[order[:limit]]
