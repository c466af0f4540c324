"""``layers/project_rules.toml`` (or a user's copy): the thresholds and norms of project screening."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from zgc_geo.errors import RulesError
from zgc_geo.manifest import default_data_dir
from zgc_geo.user_files import read_user_text


def default_rules_path() -> Path:
    """The shipped rules."""
    return default_data_dir() / "layers" / "project_rules.toml"


def read_project_rules(path: Path | None = None) -> tuple[dict[str, Any], str]:
    """The rules of ``path`` (default the shipped file) as a table, and the file's name for messages."""
    path = Path(path) if path is not None else default_rules_path()
    try:
        return tomllib.loads(read_user_text(path, what="project rules", error=RulesError)), path.name
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path.name}: not valid TOML ({exc}); fix the line it names.") from None
