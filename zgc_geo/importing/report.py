"""The import report: every problem with row, field, value, severity and a fix hint.

A problem says what is wrong twice over: ``message``/``hint`` in English as the command line
prints them (hints there name flags such as ``--crs``), and ``text``/``page_hint`` as
:class:`~zgc_geo.i18n.Sentence` keys of the translation table, which the Data page renders in
its language (hints there name the page's own controls, never a flag).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final, Literal

import pandas as pd

from zgc_geo.errors import OptionError, UnreadableInputError
from zgc_geo.i18n import Sentence, translate

Severity = Literal["error", "warning", "info"]

#: Errors block saving; warnings and notes do not.
SEVERITIES: Final[tuple[Severity, ...]] = ("error", "warning", "info")

REPORT_COLUMNS: Final = ("severity", "code", "row", "field", "value", "message", "hint")
#: Findings whose value is a code of this tool (``plots``/``layer``): the page's text words it instead.
CODE_VALUED: Final = frozenset({"kind_chosen"})
#: Values are shown to the user; cap them so a 10 MB cell cannot flood a report.
MAX_VALUE_CHARS: Final = 200


#: The Data page control that fixes an input it could not read at all.
FailureFix = Literal["encoding", "layer", "crs"]


@dataclass(frozen=True)
class PageText:
    """What the Data page says about an input it could not read: in its language, and what fixes it.

    ``fix`` names the page control that gets the user past the failure (the page shows it with
    the message); ``choices`` are the values to offer in it (the datasets of an archive).
    """

    text: Sentence
    page_hint: Sentence | None = None
    fix: FailureFix | None = None
    choices: tuple[str, ...] = ()


class UnreadableOnPageError(UnreadableInputError):
    """An unreadable input (exit 2 on the command line) that the page can explain and offer a fix for."""

    def __init__(self, message: str, page: PageText) -> None:
        super().__init__(message)
        self.page = page


class OptionOnPageError(OptionError):
    """A bad import option that the page can explain in its language and offer a fix for."""

    def __init__(self, message: str, page: PageText) -> None:
        super().__init__(message)
        self.page = page


def page_text(error: BaseException) -> PageText | None:
    """The page's explanation of ``error``, if it carries one."""
    page = getattr(error, "page", None)
    return page if isinstance(page, PageText) else None


def render(sentence: Sentence, lang: str) -> str:
    """``sentence`` in ``lang``, its worded values (a CRS by name: :class:`~zgc_geo.i18n.Both`) in ``lang``
    too, its first letter capitalised."""
    text = sentence.phrase(lang)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about an input.

    ``row`` is the 1-based record number as the user would find it (feature number in
    a vector file, data row under the header in a spreadsheet); ``None`` when the
    problem concerns the whole file. ``code`` is a stable identifier for tests and
    filters; ``message`` says what is wrong, ``hint`` what to do about it (both as the command
    line prints them). ``text`` and ``page_hint`` are the same in either language for the page;
    ``rows`` lists every row a whole-file finding covers, so the symptoms those rows would
    show later can be left out (one root cause, reported once); ``crs_keys`` are the CRSs that
    would fix a CRS finding, best first, for the page to offer by name.
    """

    severity: Severity
    code: str
    message: str
    hint: str = ""
    row: int | None = None
    field: str | None = None
    value: str | None = None
    text: Sentence | None = None
    page_hint: Sentence | None = None
    rows: tuple[int, ...] = ()
    crs_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")
        if self.value is not None and len(self.value) > MAX_VALUE_CHARS:
            object.__setattr__(self, "value", self.value[: MAX_VALUE_CHARS - 1] + "…")

    def message_in(self, lang: str) -> str:
        """What is wrong, in ``lang`` (the English ``message`` when no translation is attached)."""
        return self.message if self.text is None else render(self.text, lang)

    def hint_on_page(self, lang: str) -> str:
        """What to do, in ``lang``, naming the page's controls; empty when only the CLI hint exists."""
        return "" if self.page_hint is None else render(self.page_hint, lang)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field {self.field!r}")
        if self.value is not None:
            where.append(f"value {self.value!r}")
        location = f" ({', '.join(where)})" if where else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{self.severity}: {self.message}{location}{hint}"


@dataclass
class ImportReport:
    """All problems found while reading and checking one input, in the order found."""

    source: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        """Record one problem."""
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record several problems."""
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        """Problems that block saving."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems worth fixing that do not block saving."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def usable(self) -> bool:
        """True when nothing blocks saving (warnings are allowed)."""
        return not self.errors

    def verdict(self, features: int | None = None, lang: str = "en") -> str:
        """One line a user can act on, in ``lang``: usable or not, and how many errors and warnings."""
        size = translate("import.verdict_size", lang, count=features) if features is not None else ""
        key = "import.verdict_usable" if self.usable else "import.verdict_not_usable"
        counts = {"errors": len(self.errors), "warnings": len(self.warnings)}
        return translate(key, lang, source=self.source, size=size, **counts)

    def as_shown(self, lang: str) -> ImportReport:
        """The report as the Data page shows it, for the page's downloads: messages in ``lang``,
        hints naming the page's controls (the command line writes its own, with its flags)."""
        shown = [
            replace(
                p,
                message=p.message_in(lang),
                hint=p.hint_on_page(lang),
                value=None if p.code in CODE_VALUED else p.value,
            )
            for p in self.problems
        ]
        return ImportReport(self.source, shown)

    def to_frame(self) -> pd.DataFrame:
        """The report as a table (one row per problem), for display and export."""
        rows = [{name: getattr(p, name) for name in REPORT_COLUMNS} for p in self.problems]
        frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
        frame["row"] = frame["row"].astype("Int64")
        return frame
