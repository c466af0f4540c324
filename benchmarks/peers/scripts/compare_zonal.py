"""How far the zonal peers' means are from zgc-geo's, plot by plot (not timed).

Reads the CSVs the zonal scripts wrote (``plot_id`` and ``mean``) and prints JSON per tool: the largest
absolute difference over the plots zgc-geo gave cells to, how many of them agree within 0.01, and how
many the tool left without a mean. rasterstats counts cells by centre as zgc-geo does; exactextract
weights each cell by the share of it the plot covers, so its means differ by design.

    python compare_zonal.py zgc-geo=zgc.csv exactextract=exactextract.csv rasterstats=rasterstats.csv
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd


def main(*pairs: str) -> None:
    found = {tool: Path(path) for tool, _, path in (pair.partition("=") for pair in pairs)}
    ours = pd.read_csv(found.pop("zgc-geo")).set_index("plot_id")
    ours = ours[ours["cell_count"] > 0]["mean"]
    result = {}
    for tool, path in found.items():
        if not path.exists():
            continue
        theirs = pd.read_csv(path).set_index("plot_id")["mean"].reindex(ours.index)
        both = np.isfinite(theirs.to_numpy()) & np.isfinite(ours.to_numpy())
        difference = np.abs(theirs.to_numpy()[both] - ours.to_numpy()[both])
        result[tool] = {
            "max_difference": float(difference.max()) if both.any() else None,
            "within_0_01": int((difference <= 0.01).sum()),
            "missing": int((~np.isfinite(theirs.to_numpy()) & np.isfinite(ours.to_numpy())).sum()),
            "plots": len(ours),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:])
