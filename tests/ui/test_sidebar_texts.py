"""What the sidebar says about basemaps names no server path and no function: people read it."""

from __future__ import annotations

import pytest
import streamlit as st

from zgc_geo.mapping.basemaps import available_basemaps
from zgc_geo.mapping.local_tiles import tiles_root
from zgc_geo.ui.i18n import LANG_KEY
from zgc_geo.ui.sidebar import basemap_reason


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_missing_local_tiles_are_explained_without_paths_or_code_names(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(st.session_state, LANG_KEY, lang)
    local = next(b for b in available_basemaps() if b.key == "local")
    if local.available:
        pytest.skip("this checkout has local tiles installed; the message is for a checkout without")
    reason = basemap_reason(local)
    assert str(tiles_root()) not in reason and "tiles_from_mbtiles" not in reason and "/" not in reason
    assert "zgc-geo tiles" in reason
