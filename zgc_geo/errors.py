"""Exception hierarchy: one root, each subclass also a builtin so callers can catch either."""

from __future__ import annotations

from typing import Final


class ZgcGeoError(Exception):
    """Root of every error zgc-geo raises on purpose.

    Pages and the CLI catch this class and show its message; anything else is
    an internal error and is logged with its traceback.
    """


class LayerError(ZgcGeoError, ValueError):
    """A shipped or user-supplied layer breaks its contract (columns, CRS, geometry, ids)."""


class LayerNotFoundError(ZgcGeoError, FileNotFoundError):
    """A layer named in the manifest, or asked for by name, does not exist."""


class ManifestError(ZgcGeoError, ValueError):
    """The layer manifest itself is malformed."""


class CRSError(ZgcGeoError, ValueError):
    """Data is in the wrong coordinate reference system for the operation asked."""


class DatumError(ZgcGeoError, ValueError):
    """An unknown or unsupported Chinese web-map datum (GCJ-02 / BD-09) was named."""


class AssetsMissingError(ZgcGeoError, FileNotFoundError):
    """The locally served web assets (Leaflet …) are not installed."""


class OptionError(ZgcGeoError, ValueError):
    """An option value is not one of the valid choices (the message lists them)."""


class UnreadableInputError(ZgcGeoError, ValueError):
    """An input file cannot be read at all (wrong format, corrupt, hostile archive, over a limit).

    ``zgc-geo validate`` exits with 2 for this, as opposed to 1 for a readable file with errors.
    """


class UnsafeArchiveError(UnreadableInputError):
    """An archive breaks a safety rule: zip bomb, path traversal, link, or too many members."""


class InputTooLargeError(UnreadableInputError):
    """An input is over the configured size limit."""


class ConcurrentEditError(ZgcGeoError, RuntimeError):
    """Someone else changed the same plot since it was loaded; nothing was saved.

    The message says who changed it when, what the plot's values are now, and to reload the
    plot and apply the change again: silently overwriting a colleague's decision is the
    failure this error exists to prevent.
    """


class WorkspaceError(ZgcGeoError, OSError):
    """The workspace cannot do what was asked; the message names the thing and the fix.

    A missing or damaged workspace file, an unknown inventory or plot, an inventory name
    already taken, or plot ids that are missing, empty or not unique.
    """


class RulesError(ZgcGeoError, ValueError):
    """A rules or scenario file (TOML or JSON) breaks its contract; the message names the key and the fix."""


class SitingError(ZgcGeoError, ValueError):
    """A siting input (factor, weight, AHP judgement, candidate, constraint) breaks its contract.

    The message names the option, factor, candidate, file row or column at fault and the fix.
    """


class PrintError(ZgcGeoError, RuntimeError):
    """A map cannot be printed to PNG or PDF: no Chromium, a page that needs the internet, a failed render.

    The message says what is missing and how to fix it (install Chromium and fonts-noto-cjk, pick
    "no basemap" or local tiles for print, …).
    """


class WorkspaceIntegrityError(WorkspaceError):
    """The workspace failed verification (its audit chain or a decision was changed outside zgc-geo).

    Edits are refused until an admin acknowledges what was found; the message names the first
    broken row or decision and says how to acknowledge.
    """


#: The ``inventory`` of the project register's audit rows (:mod:`zgc_geo.workspace.projects`).
PROJECT_REGISTER: Final = "#projects"
#: The ``inventory`` of the plan's yearly actual values in the log (:mod:`zgc_geo.workspace.plan_actuals`).
PLAN_ACTUALS: Final = "#targets"
_REGISTER_VERBS: Final = {
    "project": "change",
    "review": "record a review opinion on",
    "stage": "record a stage of",
}


class AccessRefusedError(WorkspaceError, PermissionError):
    """The user's role does not allow this change; nothing changed, and the refusal was logged.

    It carries who (``user`` and the grant they hold), what they tried (``action`` on
    ``plot_id`` of ``inventory`` in ``park``) and the right they lack (``right``: ``admin`` or
    ``edit_park:<park id>``), so a page can say it in its own language.
    """

    def __init__(
        self,
        *,
        user: str,
        held: str,
        action: str,
        right: str,
        inventory: str | None = None,
        plot_id: str | None = None,
        park: str | None = None,
    ) -> None:
        self.user, self.held, self.action, self.right = user, held, action, right
        self.inventory, self.plot_id, self.park = inventory, plot_id, park
        if plot_id is not None and inventory == PLAN_ACTUALS:
            what = f"record the actual values of {plot_id.partition('@')[0]!r} for park {park!r}"
            missing = f"the right to edit park {park!r}"
        elif plot_id is not None and inventory == PROJECT_REGISTER:
            what = f"{_REGISTER_VERBS.get(action, action)} project {plot_id!r}, in park {park!r}"
            missing = f"the right to edit park {park!r}"
        elif plot_id is not None:
            what = f"{action} plot {plot_id!r} of inventory {inventory!r}, in park {park!r}"
            missing = f"the right to edit park {park!r}"
        else:
            what = action + (f" (inventory {inventory!r})" if inventory else "")
            missing = "the admin role"
        super().__init__(
            f"{user!r} ({held}) may not {what}: it needs {missing}. Nothing was changed and the refusal "
            f"was logged; ask an admin (zgc-geo workspace grant {user} --role ...)"
        )

    def __reduce__(self) -> tuple[object, ...]:  # keyword-only init: pickle (multiprocessing) needs this
        return (
            _refused,
            (self.user, self.held, self.action, self.right, self.inventory, self.plot_id, self.park),
        )


def _refused(*args: str | None) -> AccessRefusedError:
    user, held, action, right, inventory, plot_id, park = args
    return AccessRefusedError(user=str(user), held=str(held), action=str(action), right=str(right),
                              inventory=inventory, plot_id=plot_id, park=park)  # fmt: skip
