"""Turn errors into messages on the page: a ZgcGeoError is the user's to fix, anything else is ours."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from zgc_geo.errors import ZgcGeoError
from zgc_geo.ui.i18n import tr

log = logging.getLogger("zgc_geo.ui")


@contextmanager
def user_errors_shown() -> Iterator[None]:
    """Run a block of page code; show problems as messages and stop the page, never a traceback.

    Streamlit's own control-flow exceptions (``st.stop``, reruns) pass through untouched.
    """
    try:
        yield
    except ZgcGeoError as exc:
        st.error(str(exc), icon="⚠️")
        st.stop()
    except Exception as exc:
        if type(exc).__module__.startswith("streamlit"):
            raise
        log.exception("internal error on page")
        st.error(tr("guard.internal_error"), icon="🛑")
        st.stop()
