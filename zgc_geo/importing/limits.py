"""Size limits for untrusted input, configurable, so that no upload can exhaust memory or disk."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields
from typing import Final

from zgc_geo.errors import InputTooLargeError, OptionError

MIB: Final = 2**20

#: Environment variables that override the defaults, in MiB (or a plain count / ratio).
ENV_PREFIX: Final = "ZGC_GEO_IMPORT_"


def format_mib(size: int) -> str:
    """A byte count for messages: MiB for real files, bytes below 0.1 MiB (never "0.0 MiB")."""
    return f"{size / MIB:,.1f} MiB" if size >= MIB / 10 else f"{size:,} bytes"


@dataclass(frozen=True)
class ImportLimits:
    """Caps applied before and while reading an input.

    ``max_file_mib`` caps any single file as received; archives are additionally
    capped in total unpacked size, per-member compression ratio (zip bombs reach
    ratios in the thousands; real shapefiles compress 3–20×) and member count.
    """

    max_file_mib: float = 200.0
    max_unpacked_mib: float = 1024.0
    max_compression_ratio: float = 200.0
    max_archive_members: int = 2000
    max_features: int = 1_000_000
    #: Overlapping plot pairs listed one per row in a report; the rest are counted, not listed (a file
    #: drawn on top of itself has millions of pairs, and building a row for each is what makes it slow).
    max_overlap_rows: int = 1000

    @property
    def max_unpacked_bytes(self) -> int:
        """``max_unpacked_mib`` in bytes."""
        return int(self.max_unpacked_mib * MIB)

    def check_file_size(self, name: str, size: int) -> None:
        """Refuse an input of ``size`` bytes over :attr:`max_file_mib`, before reading any of it."""
        if size > self.max_file_mib * MIB:  # a float compare: a local file's cap may be unbounded (inf)
            raise InputTooLargeError(
                f"{name} is {format_mib(size)}; the limit is {self.max_file_mib:g} MiB "
                "(raise ZGC_GEO_IMPORT_MAX_FILE_MIB if this file is genuine)"
            )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, *, local: bool = False) -> ImportLimits:
        """Defaults overridden by ``ZGC_GEO_IMPORT_MAX_FILE_MIB`` and the like.

        ``local``: the file is one the user named on their own machine's command line, not an upload.
        The file-size cap exists to protect a server from what strangers send it; a batch run should
        read its own 1M-plot GeoPackage without an environment variable. So a local file has no size
        cap unless ``ZGC_GEO_IMPORT_MAX_FILE_MIB`` sets one, while the archive guards (unpacked size,
        compression ratio, member count) and the feature cap stay: a zip bomb is as hostile on disk.
        """
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, float | int] = {"max_file_mib": math.inf} if local else {}
        for spec in fields(cls):
            name = ENV_PREFIX + spec.name.upper()
            if name not in environ:
                continue
            kind = int if spec.type in ("int", int) else float
            try:
                value = kind(environ[name])
            except ValueError:
                raise OptionError(f"{name}={environ[name]!r} is not a number") from None
            if value <= 0:
                raise OptionError(f"{name} must be positive, not {value}")
            values[spec.name] = value
        return cls(**values)  # type: ignore[arg-type]
