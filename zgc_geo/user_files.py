"""Reading small text files users hand in (rules, scenarios, AHP judgements) with errors they can act on."""

from __future__ import annotations

from pathlib import Path

from zgc_geo.errors import ZgcGeoError


def read_user_text(path: Path, *, what: str, error: type[ZgcGeoError]) -> str:
    """The UTF-8 text of ``path`` (a BOM from Excel/Notepad is dropped).

    A missing file or non-UTF-8 bytes raise ``error`` naming the file and saying what to do,
    never a bare OSError or UnicodeDecodeError.
    """
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise error(f"{path}: {what} not found; pass an existing file.") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text ({exc}); save the file as UTF-8.") from exc
