"""Sites of projects named by a workspace plot id: the plot's point on its surface, found in any inventory."""

from __future__ import annotations

import shapely

from zgc_geo.i18n import Sentence
from zgc_geo.projects.screening import PlotSites
from zgc_geo.workspace.store import WorkspaceStore


def plot_sites_in(store: WorkspaceStore) -> PlotSites:
    """A lookup of plot ids in every inventory of ``store``: a point inside each plot found once, a
    reason where the id is in several inventories (then the list must give coordinates)."""

    def sites(plot_ids: list[str]) -> dict[str, tuple[str, shapely.Point] | Sentence]:
        found: dict[str, list[tuple[str, shapely.Geometry]]] = {plot: [] for plot in plot_ids}
        for info in store.inventories():
            plots = store.load_inventory(info.name)
            hits = plots[plots["plot_id"].astype(str).isin(plot_ids)]
            for plot, outline in zip(hits["plot_id"].astype(str), hits.geometry, strict=True):
                found[plot].append((info.name, outline))
        answer: dict[str, tuple[str, shapely.Point] | Sentence] = {}
        for plot, places in found.items():
            if len(places) == 1:
                answer[plot] = (places[0][0], shapely.point_on_surface(places[0][1]))
            elif places:
                names = ", ".join(name for name, _ in places)
                answer[plot] = Sentence(
                    "projects.error.plot_ambiguous", {"plot_id": plot, "inventories": names}
                )
        return answer

    return sites
