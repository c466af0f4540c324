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

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

#: The element fields that are widgets whose value a run can be given (the others are shown only).
WIDGET_KINDS: frozenset[str] = frozenset(
    {"selectbox", "multiselect", "radio", "checkbox", "text_input", "number_input", "slider", "button"}
)


@dataclass
class RunResult:
    """One script run as the server answered it."""

    seconds: float
    elements: int
    exceptions: list[str]
    bytes_received: int
    texts: list[str]  # the Markdown and headings the run drew (what a check reads the page's state from)


@dataclass
class Session:
    """A connected session (see the module docstring); use :meth:`connect`, then :meth:`run`."""

    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    page_hash: str = ""
    widgets: dict[str, tuple[str, Any]] = field(default_factory=dict)  # id → (kind, proto)
    _ws: Any = None

    async def connect(self) -> None:
        """Open the WebSocket as a tab of ``base_url`` does (its Origin; Streamlit's subprotocol)."""
        host = self.base_url.split("://", 1)[1].rstrip("/")
        self._ws = await websockets.connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=[websockets.Subprotocol("streamlit")],
            origin=websockets.Origin(self.base_url.rstrip("/")),
            additional_headers=dict(self.headers),
            max_size=None,
        )

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

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
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                elements += 1
                element = forward.delta.new_element
                shown = element.WhichOneof("type")
                if shown == "exception":
                    exceptions.append(element.exception.message)
                elif shown in ("markdown", "heading"):
                    texts.append(getattr(element, shown).body)
                elif shown in WIDGET_KINDS:
                    widget = getattr(element, shown)
                    self.widgets[widget.id] = (shown, widget)
            elif kind == "script_finished":
                return RunResult(time.perf_counter() - start, elements, exceptions, received, texts)
