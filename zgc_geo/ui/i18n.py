"""The session's language for the pages: ``tr(key)`` is :func:`zgc_geo.i18n.translate` in it.

The language is the sidebar's 中文 / English control (``st.session_state["lang"]``), Chinese
until the user switches; every page, panel and map builder call goes through here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final, TypeVar
from zoneinfo import ZoneInfo

import streamlit as st

from zgc_geo.i18n import Lang, as_lang, pick, translate

LANG_KEY: Final = "lang"
#: Times people read are Beijing time (stored times stay UTC).
BEIJING: Final = ZoneInfo("Asia/Shanghai")
#: Session-state key of the set of widget keys registered with :func:`kept`.
KEPT_KEY: Final = "_lang_kept_widgets"
#: Each language named in itself, whatever the page's language (so a reader can always find theirs).
#: The sidebar control shows these, and keeps the shown name in the URL (``?lang=English``).
LANG_NAMES: Final[dict[Lang, str]] = {"zh": "中文", "en": "English"}
K = TypeVar("K")


def current_lang() -> Lang:
    """The language the user chose (``"zh"`` until they choose).

    Before the sidebar control has run in a session, a ``?lang=en`` in the URL (where the
    control keeps its value) already counts, so a reloaded page is in one language throughout.
    """
    if LANG_KEY in st.session_state:
        return as_lang(st.session_state[LANG_KEY])
    return lang_in_url() or as_lang(None)


def lang_in_url() -> Lang | None:
    """The language the URL asks for, however written: ``?lang=en``, ``EN``, ``English``, ``zh-CN``, 中文."""
    return lang_named(st.query_params.get(LANG_KEY))


def lang_named(value: object) -> Lang | None:
    """The language ``value`` names (a code, a regional code like ``zh-CN``, a shown name), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().lower().replace("_", "-")
    for lang, name in LANG_NAMES.items():
        if text in (lang, name.lower()) or text.startswith(f"{lang}-"):
            return lang
    other_names: dict[str, Lang] = {"cn": "zh", "chinese": "zh", "英文": "en"}
    return other_names.get(text)


def tr(key: str, /, **fmt: object) -> str:
    """The text of ``key`` in the session's language, ``fmt`` filled in."""
    return translate(key, current_lang(), **fmt)


def local(zh: object, en: object) -> object:
    """A data value in the session's language (``name_en`` in English, else ``name_zh``)."""
    return pick(current_lang(), zh, en)


def local_column(base: str) -> str:
    """The language column of ``base``: ``"name_zh"`` or ``"name_en"`` for ``base="name"``."""
    return f"{base}_{current_lang()}"


def tr_map(keys: Mapping[K, str]) -> dict[K, str]:
    """``{option: tr(key)}`` for a widget's options, fixed in the session's language now.

    Pass its ``__getitem__`` as ``format_func``: Streamlit may call that outside the script run
    (AppTest does), where the session's language cannot be read.
    """
    return {option: tr(key) for option, key in keys.items()}


def kept(key: str) -> str:
    """Register ``key``, a widget whose options are shown translated, and return it.

    Streamlit's browser side remembers a choice by its shown text, so after a change of language
    it would find no such option and the choice would be lost. :func:`keep_choices`, run when the
    language changes, stores the value of every registered widget again, which makes Streamlit
    send it to the browser under its new label.
    """
    st.session_state.setdefault(KEPT_KEY, set()).add(key)
    return key


def keep_choices() -> None:
    """Callback of the language control: put back the value of every :func:`kept` widget."""
    for key in st.session_state.get(KEPT_KEY, set()):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


class _KeptValueNotice(logging.Filter):
    """Drop Streamlit's notice that a widget with a default also had its value set by code.

    :func:`keep_choices` does that on purpose for the :func:`kept` widgets (the value set is the
    one the widget already had); the notice, logged with a stack trace, would read as an error.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if "its value set via the Session State API" not in str(record.msg) or not record.args:
            return True
        key = record.args[0] if isinstance(record.args, tuple) else None
        return key not in st.session_state.get(KEPT_KEY, set())


logging.getLogger("streamlit.elements.lib.policies").addFilter(_KeptValueNotice())
