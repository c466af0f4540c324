"""A map fragment gives way to the whole page when the sidebar's settings changed under it."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page() -> None:
    import streamlit as st  # noqa: PLC0415 - AppTest runs this function's body as the script

    from zgc_geo.ui.fragments import map_fragment  # noqa: PLC0415
    from zgc_geo.ui.i18n import LANG_KEY  # noqa: PLC0415

    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    drawn = map_fragment(lambda: st.write(f"map in {st.session_state.get(LANG_KEY)}"))
    if st.session_state["runs"] == 1:
        # The language changes after the page noted it: as when the sidebar's choice reaches the server
        # while a map's view report is served.
        st.session_state[LANG_KEY] = "en"
    drawn()


def test_a_map_fragment_reruns_the_app_when_the_language_changed_under_it() -> None:
    app = AppTest.from_function(_page).run(timeout=30)
    assert not app.exception
    assert app.session_state["runs"] == 2  # the page ran again, in the new language
    assert [m.value for m in app.markdown] == ["map in en"]


def test_a_map_fragment_draws_when_nothing_changed() -> None:
    def page() -> None:
        import streamlit as st  # noqa: PLC0415

        from zgc_geo.ui.fragments import map_fragment  # noqa: PLC0415

        st.session_state["runs"] = st.session_state.get("runs", 0) + 1
        map_fragment(lambda: st.write("map"))()

    app = AppTest.from_function(page).run(timeout=30)
    assert not app.exception
    assert app.session_state["runs"] == 1
    assert [m.value for m in app.markdown] == ["map"]
