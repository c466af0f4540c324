"""The workspace as the pages use it: opened from settings, seeded with the demo, analyses cached.

Pages get a :class:`~zgc_geo.workspace.WorkspaceStore` from :func:`workspace` and never ask which
backend it is: a GeoPackage file and a PostGIS database run the same page code. The caches are
keyed by the address as configured (it may hold a database password, so it is a key only and is
never shown; the page shows ``store.address``).
"""

from __future__ import annotations

import contextlib
from typing import Final

import pandas as pd
import streamlit as st

from zgc_geo.catalogue import layer_spec
from zgc_geo.errors import WorkspaceError
from zgc_geo.importing.pipeline import ImportOptions, import_file
from zgc_geo.settings import workspace_address
from zgc_geo.stock.analysis import StockAnalysis, analyse_stock
from zgc_geo.stock.scenario import PlotRatioScenario
from zgc_geo.ui.cached import cached_plan
from zgc_geo.ui.i18n import tr
from zgc_geo.ui.identity import current_identity
from zgc_geo.workspace import DECISION_COLUMNS, WorkspaceStore, open_workspace

DEMO_INVENTORY: Final = "demo"
DEMO_TITLE: Final = "【示例】合成示例清单 Synthetic demo inventory (not real plots)"


def inventory_title(name: str, stored_title: str) -> str:
    """The title a person reads for inventory ``name``: the shipped demo's in the page's language.

    The demo's stored title is bilingual (the workspace is shared by readers of both languages and the
    CLI); a page shows only its own language's half, so a Chinese page reads no English in the picker.
    """
    return tr("stock.demo_inventory_title") if name == DEMO_INVENTORY else stored_title


def workspace_key() -> str:
    """The configured workspace address as text: the cache key of everything read from it."""
    return str(workspace_address())


def workspace() -> WorkspaceStore:
    """The workspace named by the settings (``ZGC_GEO_WORKSPACE``: a GeoPackage path or a PostGIS URL)."""
    return open_workspace(workspace_key())


class _NotAdminError(Exception):
    """The signed-in person may not import: the demo waits for an admin (not cached)."""


@st.cache_resource(show_spinner=False)
def _seeded(address: str, user: str) -> bool:
    store = open_workspace(address)
    if any(info.name == DEMO_INVENTORY for info in store.inventories()):
        return True
    if not store.rights(user).administers:
        raise _NotAdminError(user)
    demo = layer_spec("demo_stock_inventory").path
    result = import_file(demo, ImportOptions(kind="plots"))
    if result.frame is None or not result.report.usable:
        raise RuntimeError(f"the shipped demo inventory does not import cleanly: {result.verdict}")
    store.save_inventory(
        DEMO_INVENTORY, result.frame, title=DEMO_TITLE, source=demo.name, user=user, synthetic=True
    )
    return True


def ensure_demo_inventory() -> None:
    """Put the synthetic demo inventory into the workspace once, so the page works out of the box.

    Importing is an admin's right, so the demo is imported under the first admin who opens a page
    (on a planner's own machine: the planner); until then the pages say there is no inventory yet.
    """
    with st.spinner(tr("common.preparing_demo")), contextlib.suppress(_NotAdminError):
        _seeded(workspace_key(), reviewer())


def reviewer() -> str:
    """The signed-in person decisions are recorded under (never a shared fallback name)."""
    identity = current_identity()
    if identity is None:
        raise WorkspaceError("nobody is signed in in this session; sign in again, then repeat the change")
    return identity.name


@st.cache_data(show_spinner=False, max_entries=8)
def _analysed(
    address: str, inventory: str, imported_at: str, scenario: PlotRatioScenario, weights: dict[str, float]
) -> StockAnalysis:
    del imported_at  # a cache key only: a re-import of the same name reruns the analysis
    plots = open_workspace(address).load_inventory(inventory)
    plots = plots.drop(columns=[c for c in DECISION_COLUMNS if c in plots.columns])
    return analyse_stock(plots, cached_plan(), scenario=scenario, weights=weights or None)


def analysed_inventory(
    store: WorkspaceStore, inventory: str, scenario: PlotRatioScenario, weights: dict[str, float]
) -> tuple[StockAnalysis, pd.DataFrame]:
    """The cached analysis of ``inventory`` plus its current decisions (never cached: they change)."""
    info = next(i for i in store.inventories() if i.name == inventory)
    with st.spinner(tr("common.analysing_plots")):
        analysis = _analysed(workspace_key(), inventory, info.imported_at, scenario, weights)
    current = store.load_inventory(inventory)
    decisions = current[["plot_id", *[c for c in DECISION_COLUMNS if c in current.columns]]]
    return analysis, decisions
