"""One person's Streamlit session driven over Streamlit's own WebSocket protocol, without a browser.

What a browser tab does, reduced to what the server sees: open ``/_stcore/stream``, ask for a script run
(``BackMsg.rerun_script`` with the page and the widgets' values), and read ``ForwardMsg`` s until the run
says it finished. The time of that exchange is the server-side time of the action: what many people acting
at the same moment wait for on one server, before any drawing in their browsers.

The widgets a run drew are kept by id (Streamlit puts a widget's ``key`` at the end of its id), so the next
action can set one (:meth:`Session.run` with ``widgets``) as the browser would: the values of every
widget the page holds, the changed one included.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

#: The element fields that are widgets whose value a run can be given (the others are shown only).
WIDGET_KINDS: frozenset[str] = frozenset(
    {
        "selectbox",
        "multiselect",
        "radio",
        "checkbox",
        "text_input",
        "text_area",
        "number_input",
        "slider",
        "button",
    }
)
#: The element fields whose text a check reads (a toast is how the Stock page says a decision was recorded).
TEXT_KINDS: frozenset[str] = frozenset({"markdown", "heading", "toast"})
_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


@dataclass
class RunResult:
    """One script run as the server answered it."""

    seconds: float
    elements: int
    exceptions: list[str]
    bytes_received: int
    texts: list[str]  # the Markdown, headings and toasts the run drew (what a check reads the page from)


@dataclass
class Session:
    """A connected session (see the module docstring); use :meth:`connect`, then :meth:`run`."""

    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    page_hash: str = ""
    session_id: str = ""
    widgets: dict[str, tuple[str, Any]] = field(default_factory=dict)  # id → (kind, proto)
    cookies: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    _ws: Any = None

    def _load_page(self) -> None:
        """The page, then the health check its script asks for first (whose answer sets the XSRF cookie)."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        for path in ("/", "/_stcore/health"):
            request = urllib.request.Request(self.base_url.rstrip("/") + path, headers=dict(self.headers))
            with opener.open(request, timeout=60) as answer:
                answer.read()

    def cookie(self, name: str) -> str | None:
        """The value of the cookie ``name`` the site set in this session's browser, if any."""
        return next((c.value for c in self.cookies if c.name == name), None)

    def cookie_header(self) -> dict[str, str]:
        """The ``Cookie`` header the browser sends with each request to the site (none: empty)."""
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        return {"Cookie": cookies} if cookies else {}

    async def connect(self) -> None:
        """Load the page and open its WebSocket as a new browser tab of ``base_url`` does: the page's cookies
        (a proxy's choice of app process among them) go with it, under its Origin, in Streamlit's
        subprotocol."""
        await asyncio.to_thread(self._load_page)
        host = self.base_url.split("://", 1)[1].rstrip("/")
        self._ws = await websockets.connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=[websockets.Subprotocol("streamlit")],
            origin=websockets.Origin(self.base_url.rstrip("/")),
            additional_headers={**self.headers, **self.cookie_header()},
            max_size=None,
        )

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    def form_widgets(self, form_prefix: str) -> list[tuple[str, str, Any]]:
        """(id, kind, proto) of every widget the page drew in a form whose id starts with ``form_prefix``, in
        page order (a form's widgets without keys have no name to find them by but their place)."""
        return [
            (wid, kind, proto)
            for wid, (kind, proto) in self.widgets.items()
            if getattr(proto, "form_id", "").startswith(form_prefix)
        ]

    def widget_id(self, key: str) -> str:
        """The id of the widget the page drew with ``key`` (Streamlit ends a keyed widget's id with it)."""
        found = [wid for wid in self.widgets if wid.endswith(f"-{key}") or wid == key]
        if len(found) != 1:
            raise KeyError(f"no single widget with key {key!r} among {sorted(self.widgets)}")
        return found[0]

    async def run(
        self, page: str | None = None, widgets: Mapping[str, WidgetState] | None = None, query: str = ""
    ) -> RunResult:
        """Ask for a run of ``page`` (its URL path; None: the page open now) with ``widgets`` set (states by
        widget id), and wait until it finishes."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = query
        state.page_script_hash = "" if page is not None else self.page_hash
        if page is not None:
            state.page_name = page
            self.widgets.clear()
        for widget_id, widget in (widgets or {}).items():
            added = state.widget_states.widgets.add()
            added.CopyFrom(widget)
            added.id = widget_id
        start = time.perf_counter()
        await self._ws.send(message.SerializeToString())
        elements, received, exceptions, texts = 0, 0, [], []
        while True:
            raw = await self._ws.recv()
            received += len(raw)
            forward = ForwardMsg.FromString(raw)
            kind = forward.WhichOneof("type")
            if kind in ("new_session", "navigation"):  # the page the run is of (st.navigation says which)
                self.page_hash = getattr(forward, kind).page_script_hash or self.page_hash
                if kind == "new_session":
                    self.session_id = forward.new_session.initialize.session_id or self.session_id
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                elements += 1
                element = forward.delta.new_element
                shown = element.WhichOneof("type")
                if shown == "exception":
                    exceptions.append(element.exception.message)
                elif shown in TEXT_KINDS:
                    texts.append(getattr(element, shown).body)
                elif shown in WIDGET_KINDS:
                    widget = getattr(element, shown)
                    self.widgets[widget.id] = (shown, widget)
            elif kind == "script_finished" and forward.script_finished != _RERUN:  # st.rerun: read on
                return RunResult(time.perf_counter() - start, elements, exceptions, received, texts)
