"""``python -m zgc_geo`` runs the same CLI as the ``zgc-geo`` console script."""

from __future__ import annotations

import sys

from zgc_geo.cli import main

sys.exit(main())
