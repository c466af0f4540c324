"""Visual style of the plan maps: one colour per cluster, CSS classes the browser tests look for."""

from __future__ import annotations

from typing import Final

#: Okabe–Ito palette: distinguishable with the common colour-vision deficiencies and in greyscale print.
CLUSTER_COLOURS: Final[dict[str, str]] = {
    "frontier_it": "#0072B2",
    "bio_health": "#CC79A7",
    "smart_mfg_materials": "#E69F00",
    "eco_energy": "#009E73",
    "modern_transport": "#D55E00",
    "emerging_services": "#56B4E9",
}
FALLBACK_COLOUR: Final = "#777777"

PARK_FILL: Final = "#3A6EA5"
CORE_PARK_FILL: Final = "#1F3F73"
DISTRICT_LINE: Final = "#8A8A8A"
REGION_LINE: Final = "#5E5E5E"
COOP_COLOUR: Final = "#7B3294"
FUSION_COLOUR: Final = "#8C1C13"

# Leaflet applies ``className`` to each SVG path: tests and print CSS select on these.
PARK_CLASS: Final = "zgc-park"
FEATURE_PARK_CLASS: Final = "zgc-feature-park"
COOP_ZONE_CLASS: Final = "zgc-coop-zone"
DISTRICT_CLASS: Final = "zgc-district"
REGION_CLASS: Final = "zgc-region"
FUSION_CLASS: Final = "zgc-fusion"
LEGEND_CLASS: Final = "zgc-legend"
ZONE_NUMBER_CLASS: Final = "zgc-zone-number"
ZONE_LABEL_CLASS: Final = "zgc-zone-label"

#: Page CSS shipped inside the map: labels, tooltip tables, legend, and a neutral
#: background so a map without basemap tiles still reads as a map.
MAP_CSS: Final = """
.leaflet-container { background: #f4f6f8; font-family: "Noto Sans CJK SC", "Source Han Sans SC",
  "Microsoft YaHei", "PingFang SC", sans-serif; }
.zgc-label { background: transparent; border: none; white-space: nowrap; text-align: center;
  font-size: 12px; font-weight: 600; color: #14213d; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; }
.zgc-label .zgc-en { font-weight: 400; font-size: 10px; }
.zgc-district-label { background: transparent; border: none; white-space: nowrap; font-size: 11px;
  color: #6b6b6b; text-align: center; text-shadow: 0 0 2px #fff, 0 0 2px #fff; }
.zgc-detail table { border-collapse: collapse; margin-top: 4px; }
.zgc-detail th { text-align: left; padding: 1px 6px 1px 0; color: #555; font-weight: 500;
  vertical-align: top; }
.zgc-detail td { padding: 1px 0; max-width: 320px; white-space: normal; }
.zgc-en { color: #444; }
.zgc-legend { background: rgba(255,255,255,0.92); padding: 8px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 12px; line-height: 1.35; max-width: 280px; }
.zgc-legend-title { font-weight: 700; margin: 4px 0 2px; }
.zgc-legend-row { display: flex; align-items: center; gap: 6px; }
.zgc-swatch { display: inline-block; width: 14px; height: 14px; flex: none; border: 1px solid #333; }
.zgc-swatch.round { border-radius: 50%; }
.zgc-zone-number { display: inline-block; flex: none; min-width: 18px; height: 18px; line-height: 18px;
  border-radius: 9px; background: #7b3294; color: #fff; font-weight: 700; font-size: 11px;
  text-align: center; text-shadow: none; margin-right: 3px; }
.zgc-zone-label { text-align: left; }
.zgc-rank-label { width: 22px; height: 22px; line-height: 22px; border-radius: 50%; background: #d7301f;
  color: #fff; font-weight: 700; font-size: 12px; text-align: center; border: 2px solid #fff;
  box-shadow: 0 1px 3px rgba(0,0,0,0.5); text-shadow: none; }
"""


def cluster_colour(cluster_id: str) -> str:
    """Colour of a cluster; unknown ids (a user-edited table) fall back to grey, not an error."""
    return CLUSTER_COLOURS.get(cluster_id, FALLBACK_COLOUR)
