"""AHP (层次分析法) factor weights from pairwise judgements, with Saaty's consistency ratio.

Chinese planning practice expects weights to be defensible as the outcome of pairwise
judgements ("is access to a feature park more important than metro distance, and by how
much?") rather than typed-in numbers, and expects the consistency ratio CR to be shown: a
matrix with CR > 0.1 contains judgements that contradict each other and should be revisited
before its weights are used. :func:`most_inconsistent_pairs` says which judgements to revisit.
"""

from __future__ import annotations

import csv
import io
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, NamedTuple

import numpy as np

from zgc_geo.errors import SitingError
from zgc_geo.user_files import read_user_text

Method = Literal["eigenvector", "geometric_mean"]
MatrixLike = np.ndarray | Sequence[Sequence[float]]

#: Saaty's random index RI: the mean CI of random reciprocal matrices of size n on the 1–9 scale.
#: n ≤ 10 as tabulated in T. L. Saaty, *The Analytic Hierarchy Process* (McGraw-Hill, 1980);
#: n = 11–15 are the extended values commonly published with it (the dip at n = 12 is in the
#: published table and is kept as is so CR matches other software and textbooks).
#: Decimals deviations are rounded to before ranking, so that ties do not depend on float noise.
TIE_DECIMALS: Final = 9
RANDOM_INDEX: Final[Mapping[int, float]] = {
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41,
    9: 1.45, 10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
}  # fmt: skip
#: Saaty's rule: judgements with CR above this are too inconsistent to use unrevised.
CR_LIMIT: Final = 0.10
#: a_ji may differ from 1/a_ij by this relative amount (people type 0.33 for 1/3).
RECIPROCAL_TOLERANCE: Final = 0.01
MIN_FACTORS: Final = 2
MAX_FACTORS: Final = max(RANDOM_INDEX)
#: Saaty's scale runs from 1/9 to 9; judgements outside it are rejected (1 % slack for 0.111).
SCALE_MIN: Final = 1 / 9 * (1 - RECIPROCAL_TOLERANCE)
SCALE_MAX: Final = 9 * (1 + RECIPROCAL_TOLERANCE)
SCALE_HELP: Final = (
    "Saaty's 1–9 scale: 1 equal, 3 moderately, 5 strongly, 7 very strongly, 9 extremely more important"
)


@dataclass(frozen=True)
class AhpResult:
    """Weights derived from one pairwise comparison matrix, with its consistency."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool
    method: Method
    note: str

    @property
    def weights_by_name(self) -> dict[str, float]:
        """``{factor: weight}``, ready for :func:`zgc_geo.siting.ranking.rank_candidates`."""
        return dict(zip(self.names, self.weights, strict=True))


class AhpMatrix(NamedTuple):
    """A full reciprocal judgement matrix and its factor ids, in row order."""

    matrix: np.ndarray
    names: tuple[str, ...]


@dataclass(frozen=True)
class InconsistentPair:
    """A judgement far from what the derived weights imply: the first thing to revisit."""

    a: str
    b: str
    judged: float
    implied: float
    factor: float
    suggestion: str

    def __str__(self) -> str:
        return (
            f"{self.a} vs {self.b}: judged {fmt_judgement(self.judged)}, the weights imply "
            f"{self.implied:.2f} (off by a factor of {self.factor:.1f}); consider {self.suggestion}"
        )


def ahp_weights(matrix: MatrixLike, names: Sequence[str], *, method: Method = "eigenvector") -> AhpResult:
    """Weights, λmax, CI, RI and CR of a pairwise comparison matrix.

    ``matrix[i][j]`` says how much more important factor ``names[i]`` is than ``names[j]``.
    ``method="eigenvector"`` (default, Saaty's method and what textbooks report) takes the real
    part of the eigenvector of the largest eigenvalue; ``"geometric_mean"`` takes the normalised
    geometric mean of each row (the logarithmic least-squares solution, easy to check by hand
    in a spreadsheet), with λmax estimated as the mean of (A·w)_i / w_i. Both agree exactly for a
    consistent matrix and, for any reciprocal 3 × 3 matrix, also for an inconsistent one.

    CI = (λmax − n)/(n − 1), CR = CI/RI with Saaty's :data:`RANDOM_INDEX`; ``consistent`` is
    CR ≤ 0.1. With two factors every reciprocal matrix is consistent and CR = 0.
    """
    a, labels = check_pairwise(matrix, names)
    n = len(labels)
    if method == "eigenvector":
        values, vectors = np.linalg.eig(a)
        top = int(np.argmax(values.real))
        w = vectors[:, top].real
        lambda_max = float(values[top].real)
    elif method == "geometric_mean":
        w = np.exp(np.log(a).mean(axis=1))
        lambda_max = float(np.mean((a @ w) / w))
    else:
        raise SitingError(f"AHP method {method!r} is unknown; use 'eigenvector' or 'geometric_mean'.")
    w = w / w.sum()
    ci = max(0.0, (lambda_max - n) / (n - 1))
    ri = RANDOM_INDEX[n]
    cr = ci / ri if ri > 0 else 0.0
    consistent = cr <= CR_LIMIT
    how = "principal eigenvector" if method == "eigenvector" else "row geometric means"
    verdict = (
        "with two factors the judgements are always consistent (CR = 0)"
        if n == MIN_FACTORS
        else f"CR = {cr:.3f} ≤ {CR_LIMIT:.2f}, the judgements are acceptably consistent"
        if consistent
        else f"CR = {cr:.3f} > {CR_LIMIT:.2f}, the judgements contradict each other; revisit the pairs "
        "most_inconsistent_pairs lists before using these weights"
    )
    note = f"Weights from the normalised {how} of the {n} × {n} judgement matrix; {verdict}."
    weights = tuple(float(x) for x in w)
    return AhpResult(labels, weights, lambda_max, ci, ri, cr, consistent, method, note)


def check_pairwise(matrix: MatrixLike, names: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """The matrix as floats and the names as a tuple, or a :class:`SitingError` naming the fault.

    Checks: square and one name per row, 2–15 factors, finite and positive, diagonal 1, and
    reciprocal (a_ji = 1/a_ij within 1 %; the worst pair is reported by name).
    """
    labels = _check_names(names)
    try:
        a = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError) as exc:
        raise SitingError(f"AHP matrix must be a table of numbers ({exc}).") from exc
    n = len(labels)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] != n:
        raise SitingError(
            f"AHP matrix must be square with one row and one column per factor: got shape {a.shape} "
            f"for {n} factor names ({', '.join(labels)})."
        )
    bad = ~np.isfinite(a) | (a <= 0)
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        raise SitingError(
            f"AHP matrix a[{labels[i]}, {labels[j]}] = {a[i, j]:g}: judgements must be positive numbers "
            f"on {SCALE_HELP}, or their reciprocals (1/3 …)."
        )
    diagonal = np.abs(np.diag(a) - 1) > RECIPROCAL_TOLERANCE
    if diagonal.any():
        i = int(np.argmax(diagonal))
        raise SitingError(
            f"AHP matrix diagonal must be 1 (a factor is as important as itself): "
            f"a[{labels[i]}, {labels[i]}] = {a[i, i]:g}. Set it to 1."
        )
    off = np.abs(np.log(a * a.T))
    if off.max() > -math.log1p(-RECIPROCAL_TOLERANCE) + 1e-9:
        i, j = (int(k) for k in np.unravel_index(np.argmax(np.triu(off, 1)), off.shape))
        raise SitingError(
            f"AHP matrix is not reciprocal: a[{labels[i]}, {labels[j]}] = {fmt_judgement(a[i, j])} but "
            f"a[{labels[j]}, {labels[i]}] = {fmt_judgement(a[j, i])}; it must be "
            f"{fmt_judgement(1 / a[i, j])} ({1 / a[i, j]:.3g}). Enter each judgement once and let "
            "pairwise_from_upper fill the mirror cell, or correct the cell."
        )
    return a, labels


def pairwise_from_upper(names: Sequence[str], upper: Mapping[tuple[str, str], float]) -> np.ndarray:
    """The full reciprocal matrix from one judgement per pair, as a UI form collects them.

    ``upper[(a, b)] = 3`` means ``a`` is moderately more important than ``b``; a key may also be
    given as ``(b, a)`` (then its reciprocal is used), but not both. Values must lie on Saaty's
    scale, 1/9 … 9; values between scale points (2.5) are accepted as some practitioners use them.
    """
    labels = _check_names(names)
    index = {name: k for k, name in enumerate(labels)}
    a = np.ones((len(labels), len(labels)))
    seen: dict[frozenset[str], str] = {}
    for key, value in upper.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise SitingError(f"AHP judgement key {key!r} must be a pair of factor ids (a, b).")
        first, second = key
        where = f"AHP judgement {first}/{second}"
        unknown = [str(k) for k in key if k not in index]
        if unknown:
            raise SitingError(
                f"{where}: unknown factor {', '.join(unknown)}; the factors are {', '.join(labels)}."
            )
        if first == second:
            raise SitingError(
                f"{where}: a factor is not compared with itself (the diagonal is 1); remove it."
            )
        pair = frozenset(key)
        if pair in seen:
            raise SitingError(f"{where}: this pair is already judged as {seen[pair]}; keep one of the two.")
        seen[pair] = f"{first}/{second}"
        v = _judgement(value, where)
        a[index[first], index[second]] = v
        a[index[second], index[first]] = 1 / v
    missing = [
        f"{p}/{q}" for k, p in enumerate(labels) for q in labels[k + 1 :] if frozenset((p, q)) not in seen
    ]
    if missing:
        n = len(labels)
        raise SitingError(
            f"AHP judgements missing for {', '.join(missing)}: every pair of factors needs one judgement "
            f"({n * (n - 1) // 2} for {n} factors)."
        )
    return a


def read_ahp_file(path: str | Path) -> AhpMatrix:
    """Judgements from a CSV matrix or a TOML ``[pairs]`` table; errors name the file, row and column.

    CSV: a header row ``factor,roads,parks,…`` and one row per factor starting with its id, the
    ids in the same order down and across; cells are numbers or fractions (``1/3``).
    TOML: ``[pairs]`` with one ``"a/b" = 3`` entry per pair (a string ``"1/3"`` is accepted) and
    optionally a top-level ``factors = [...]`` list fixing the order (else order of appearance).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".toml"}:
        raise SitingError(f"{path}: AHP judgements must be a .csv matrix or a .toml [pairs] table.")
    text = read_user_text(path, what="AHP file (.csv or .toml)", error=SitingError)
    try:
        found = _read_csv(text) if suffix == ".csv" else _read_toml(text)
        matrix, names = check_pairwise(*found)
    except SitingError as exc:
        raise SitingError(f"{path}: {exc}") from exc
    return AhpMatrix(matrix, names)


def most_inconsistent_pairs(
    matrix: MatrixLike,
    weights: Sequence[float] | np.ndarray,
    names: Sequence[str],
    top: int = 3,
) -> list[InconsistentPair]:
    """The ``top`` judgements that deviate most from the ratio w_i/w_j the weights imply.

    The deviation of a_ij is the factor a_ij·w_j/w_i or its inverse, whichever is ≥ 1 (Saaty's
    ε_ij); the suggestion is the scale value nearest the implied ratio. Revising the worst
    judgement first is the usual way to bring CR under 0.1.
    """
    a, labels = check_pairwise(matrix, names)
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(labels),) or not np.all(np.isfinite(w) & (w > 0)):
        raise SitingError(f"AHP weights must be {len(labels)} positive numbers, one per factor.")
    implied = w[:, None] / w[None, :]
    deviation = np.abs(np.log(a / implied))
    rows, cols = np.triu_indices(len(labels), 1)
    # Rounded before ranking: equal deviations (common in symmetric mistakes) must not be ordered
    # by float noise, which differs between BLAS kernels; ties keep the matrix order.
    ranked = np.round(deviation[rows, cols], TIE_DECIMALS)
    order = np.argsort(-ranked, kind="stable")[: max(top, 0)]
    pairs = []
    for i, j in zip(rows[order], cols[order], strict=True):
        suggestion = f"{labels[i]}/{labels[j]} = {fmt_judgement(nearest_scale(implied[i, j]))}"
        factor = math.exp(deviation[i, j])
        pairs.append(InconsistentPair(labels[i], labels[j], a[i, j], implied[i, j], factor, suggestion))
    return pairs


def fmt_judgement(value: float) -> str:
    """A judgement as a planner writes it: ``3``, ``1/3``, ``2.5``."""
    if abs(value - round(value)) < 1e-6 * max(1.0, value):
        return str(round(value))
    inverse = 1 / value
    if round(inverse) >= 2 and abs(inverse - round(inverse)) <= RECIPROCAL_TOLERANCE * inverse:
        return f"1/{round(inverse)}"
    return f"{value:.3g}"


def nearest_scale(ratio: float) -> float:
    """The value of Saaty's scale (1/9 … 1 … 9) nearest ``ratio`` on a log scale."""
    scale = np.array([1 / k for k in range(9, 1, -1)] + list(range(1, 10)), dtype=float)
    return float(scale[np.argmin(np.abs(np.log(scale / ratio)))])


def _check_names(names: Sequence[str]) -> tuple[str, ...]:
    labels = tuple(str(n).strip() for n in names)
    if not MIN_FACTORS <= len(labels) <= MAX_FACTORS:
        raise SitingError(
            f"AHP needs {MIN_FACTORS} to {MAX_FACTORS} factors, got {len(labels)}; Saaty's random index "
            "is tabulated up to 15 (group factors into a hierarchy beyond that)."
        )
    if "" in labels or len(set(labels)) != len(labels):
        dupes = sorted({n for n in labels if labels.count(n) > 1})
        raise SitingError(f"AHP factor ids must be non-empty and unique; repeated or empty: {dupes}.")
    return labels


def _judgement(value: object, where: str) -> float:
    """``value`` as a judgement on Saaty's scale, from a number or a ``"1/3"`` string."""
    v = _parse_number(value) if isinstance(value, str) else value
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise SitingError(f'{where} = {value!r} is not a number; write e.g. 3, 0.2 or "1/5".')
    if v <= 0:
        raise SitingError(
            f"{where} = {value!r}: judgements must be positive; use {SCALE_HELP}, or 1/3 … 1/9."
        )
    if not SCALE_MIN <= v <= SCALE_MAX:
        raise SitingError(f"{where} = {value!r} is off the scale; use {SCALE_HELP}, or 1/3 … 1/9.")
    return float(v)


def _parse_number(text: str) -> float | None:
    """``"3"``, ``"0.5"`` or ``"1/3"`` as a float; ``None`` when it is none of these."""
    top, slash, bottom = text.strip().partition("/")
    try:
        return float(top) / float(bottom) if slash else float(top)
    except (ValueError, ZeroDivisionError):
        return None


def _read_csv(text: str) -> tuple[np.ndarray, list[str]]:
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise SitingError("the file is empty; write a header row then one row per factor.")
    header = [cell.strip() for cell in rows[0][1][1:]]
    body = rows[1:]
    if len(body) != len(header):
        raise SitingError(
            f"the header names {len(header)} factors ({', '.join(header)}) but there are {len(body)} "
            "factor rows; the matrix must be square."
        )
    matrix = np.ones((len(header), len(header)))
    for k, (line, row) in enumerate(body):
        factor = row[0].strip()
        if factor != header[k]:
            raise SitingError(
                f"row {line} is {factor!r} but column {k + 2} is {header[k]!r}: list the factors in the "
                "same order down the first column and across the header row."
            )
        if len(row) != len(header) + 1:
            raise SitingError(
                f"row {line} ({factor}) has {len(row) - 1} values but the header names {len(header)} factors."
            )
        for j, cell in enumerate(row[1:]):
            value = _parse_number(cell)
            if value is None:
                raise SitingError(
                    f"row {line} ({factor}), column {j + 2} ({header[j]}): {cell.strip()!r} is not a "
                    "number; write e.g. 3, 0.2 or 1/5."
                )
            matrix[k, j] = value
    return matrix, header


def _read_toml(text: str) -> tuple[np.ndarray, list[str]]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SitingError(f"not valid TOML ({exc}).") from exc
    pairs = raw.get("pairs")
    if not isinstance(pairs, dict) or not pairs:
        raise SitingError('no [pairs] table; write one line per pair such as "roads/parks" = 3.')
    upper: dict[tuple[str, str], float] = {}
    order: list[str] = []
    for key, value in pairs.items():
        first, slash, second = key.partition("/")
        if not slash or not first.strip() or not second.strip() or "/" in second:
            raise SitingError(f'[pairs] key {key!r} must name two factors as "a/b", e.g. "roads/parks" = 3.')
        pair = (first.strip(), second.strip())
        upper[pair] = _judgement(value, f"[pairs] {key!r}")
        order += [p for p in pair if p not in order]
    factors = raw.get("factors", order)
    if not isinstance(factors, list) or sorted(map(str, factors)) != sorted(order):
        raise SitingError(
            f"factors = {factors!r} must list exactly the factors of [pairs]: {', '.join(order)}."
        )
    return pairwise_from_upper(factors, upper), factors
