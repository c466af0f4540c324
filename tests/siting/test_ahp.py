"""AHP weights and consistency against published examples, identities, validation and file reading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zgc_geo.errors import SitingError, ZgcGeoError
from zgc_geo.siting.ahp import (
    RANDOM_INDEX,
    AhpMatrix,
    ahp_weights,
    check_pairwise,
    fmt_judgement,
    most_inconsistent_pairs,
    pairwise_from_upper,
    read_ahp_file,
)

#: The standard 3 × 3 textbook example; the values below are those quoted for it (4 decimals)
#: and were re-derived with numpy: w = (0.2790, 0.6491, 0.0719), λmax = 3.0649, CI = 0.0324,
#: CR = 0.0559 with RI(3) = 0.58.
STANDARD_3: list[list[float]] = [[1, 1 / 3, 5], [3, 1, 7], [1 / 5, 1 / 7, 1]]

#: Saaty's light-intensity experiment (relative brightness of four chairs seen from a lamp;
#: Saaty 1977, J. Math. Psychol. 15, and *The Analytic Hierarchy Process*, 1980), published with
#: λmax = 4.39, CI = 0.13, CR = 0.14: a real judgement matrix that fails the 0.1 rule.
SAATY_LIGHT: list[list[float]] = [
    [1, 5, 6, 7],
    [1 / 5, 1, 4, 6],
    [1 / 6, 1 / 4, 1, 4],
    [1 / 7, 1 / 6, 1 / 4, 1],
]


def test_standard_three_by_three_example() -> None:
    result = ahp_weights(STANDARD_3, ["a", "b", "c"])
    assert result.weights == pytest.approx([0.2790, 0.6491, 0.0719], abs=5e-5)
    assert result.lambda_max == pytest.approx(3.0649, abs=5e-5)
    assert result.ci == pytest.approx(0.0324, abs=5e-5)
    assert result.ri == 0.58
    assert result.cr == pytest.approx(0.0559, abs=5e-5)
    assert result.consistent
    assert result.method == "eigenvector"
    assert "CR = 0.056 ≤ 0.10" in result.note
    assert result.weights_by_name == dict(zip(["a", "b", "c"], result.weights, strict=True))


def test_geometric_mean_equals_eigenvector_for_any_three_by_three() -> None:
    eigen = ahp_weights(STANDARD_3, ["a", "b", "c"])
    geo = ahp_weights(STANDARD_3, ["a", "b", "c"], method="geometric_mean")
    assert geo.weights == pytest.approx(eigen.weights, abs=1e-12)
    assert geo.lambda_max == pytest.approx(eigen.lambda_max, abs=1e-12)
    assert "row geometric means" in geo.note


def test_saaty_light_experiment_is_flagged_inconsistent() -> None:
    result = ahp_weights(SAATY_LIGHT, ["chair1", "chair2", "chair3", "chair4"])
    assert round(result.lambda_max, 2) == 4.39
    assert round(result.ci, 2) == 0.13
    assert round(result.cr, 2) == 0.14
    assert not result.consistent
    assert "CR = 0.145 > 0.10" in result.note
    geo = ahp_weights(SAATY_LIGHT, result.names, method="geometric_mean")
    assert geo.weights == pytest.approx(result.weights, abs=0.02)  # close, not equal, when inconsistent
    assert geo.weights != pytest.approx(result.weights, abs=1e-6)


@pytest.mark.parametrize("matrix", [STANDARD_3, SAATY_LIGHT])
def test_consistency_identities(matrix: list[list[float]]) -> None:
    n = len(matrix)
    result = ahp_weights(matrix, [f"f{k}" for k in range(n)])
    assert sum(result.weights) == pytest.approx(1.0)
    assert all(w > 0 for w in result.weights)
    assert result.ci == pytest.approx((result.lambda_max - n) / (n - 1))
    assert result.cr == pytest.approx(result.ci / RANDOM_INDEX[n])
    a = np.array(matrix)
    assert a @ np.array(result.weights) == pytest.approx(result.lambda_max * np.array(result.weights))


@pytest.mark.parametrize("method", ["eigenvector", "geometric_mean"])
def test_perfectly_consistent_matrix_gives_back_its_weights(method: str) -> None:
    w = np.array([0.4, 0.25, 0.2, 0.1, 0.05])
    result = ahp_weights(w[:, None] / w[None, :], list("abcde"), method=method)  # type: ignore[arg-type]
    assert result.weights == pytest.approx(w, abs=1e-12)
    assert result.lambda_max == pytest.approx(5.0, abs=1e-9)
    assert result.cr == pytest.approx(0.0, abs=1e-9)
    assert result.consistent


def test_two_factors_are_always_consistent() -> None:
    result = ahp_weights([[1, 4], [1 / 4, 1]], ["park", "metro"])
    assert result.weights == pytest.approx([0.8, 0.2])
    assert (result.ci, result.ri, result.cr) == (0.0, 0.0, 0.0)
    assert "always consistent" in result.note


def test_random_index_table() -> None:
    assert [RANDOM_INDEX[n] for n in range(1, 16)] == [
        0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
    ]  # fmt: skip


def test_one_reversed_judgement_is_named_as_most_inconsistent() -> None:
    names = ["metro", "park", "green", "road"]
    w = np.array([8.0, 4.0, 2.0, 1.0])
    matrix = w[:, None] / w[None, :]
    matrix[0, 3], matrix[3, 0] = 1 / 2, 2  # metro/road should be 8 but was entered the wrong way round
    result = ahp_weights(matrix, names)
    assert result.cr > 0.1
    assert not result.consistent
    pairs = most_inconsistent_pairs(matrix, result.weights, names, top=2)
    assert [(p.a, p.b) for p in pairs] == [("metro", "road"), ("park", "road")]
    assert str(pairs[0]) == (
        "metro vs road: judged 1/2, the weights imply 1.65 (off by a factor of 3.3); consider metro/road = 2"
    )


def test_reciprocal_violation_names_the_worst_pair() -> None:
    matrix: list[list[float]] = [[1, 3, 2], [1 / 2, 1, 1], [1 / 2, 1, 1]]  # a[parks, roads] should be 1/3
    with pytest.raises(SitingError) as info:
        ahp_weights(matrix, ["roads", "parks", "metro"])
    assert str(info.value) == (
        "AHP matrix is not reciprocal: a[roads, parks] = 3 but a[parks, roads] = 1/2; it must be 1/3 "
        "(0.333). Enter each judgement once and let pairwise_from_upper fill the mirror cell, or "
        "correct the cell."
    )
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, ZgcGeoError)


def test_typed_decimals_within_one_percent_are_reciprocal_enough() -> None:
    result = ahp_weights([[1, 3, 0.5], [0.33, 1, 0.2], [2, 5, 1]], ["a", "b", "c"])
    assert sum(result.weights) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("matrix", "names", "message"),
    [
        (
            [[1, 2, 3], [0.5, 1, 2]],
            ["a", "b"],
            r"must be square .* got shape \(2, 3\) for 2 factor names \(a, b\)",
        ),
        ([[1, -2], [-0.5, 1]], ["a", "b"], r"a\[a, b\] = -2: judgements must be positive"),
        ([[1, 0], [0, 1]], ["a", "b"], r"a\[a, b\] = 0: judgements must be positive"),
        ([[1, np.nan], [1, 1]], ["a", "b"], r"a\[a, b\] = nan"),
        ([[2, 2], [0.5, 1]], ["a", "b"], r"diagonal must be 1 .* a\[a, a\] = 2\. Set it to 1\."),
        ([[1]], ["a"], r"AHP needs 2 to 15 factors, got 1"),
        (np.ones((16, 16)), [f"f{k}" for k in range(16)], r"AHP needs 2 to 15 factors, got 16"),
        ([[1, 1], [1, 1]], ["a", "a"], r"non-empty and unique; repeated or empty: \['a'\]"),
        ([["x", 1], [1, 1]], ["a", "b"], r"must be a table of numbers"),
    ],
)
def test_invalid_matrices(matrix: object, names: list[str], message: str) -> None:
    with pytest.raises(SitingError, match=message):
        check_pairwise(matrix, names)  # type: ignore[arg-type]


def test_unknown_method() -> None:
    with pytest.raises(SitingError, match="AHP method 'mean' is unknown"):
        ahp_weights(STANDARD_3, ["a", "b", "c"], method="mean")  # type: ignore[arg-type]


def test_pairwise_from_upper_builds_the_reciprocal_matrix() -> None:
    names = ["a", "b", "c"]
    upper = {("a", "b"): 1 / 3, ("a", "c"): 5.0, ("c", "b"): 1 / 7}  # c/b given the other way round
    assert pairwise_from_upper(names, upper) == pytest.approx(np.array(STANDARD_3))


@pytest.mark.parametrize(
    ("upper", "message"),
    [
        (
            {("a", "b"): 3},
            r"AHP judgements missing for a/c, b/c: every pair of factors needs one judgement \(3 for 3",
        ),
        (
            {("a", "b"): 0, ("a", "c"): 1, ("b", "c"): 1},
            r"AHP judgement a/b = 0: judgements must be positive",
        ),
        ({("a", "b"): -3, ("a", "c"): 1, ("b", "c"): 1}, r"a/b = -3: judgements must be positive"),
        ({("a", "b"): 10, ("a", "c"): 1, ("b", "c"): 1}, r"a/b = 10 is off the scale; use Saaty's 1–9 scale"),
        ({("a", "x"): 3}, r"AHP judgement a/x: unknown factor x; the factors are a, b, c\."),
        ({("a", "a"): 1}, r"a/a: a factor is not compared with itself"),
        ({("a", "b"): 3, ("b", "a"): 1 / 3}, r"AHP judgement b/a: this pair is already judged as a/b"),
        ({("a", "b"): "three"}, r"a/b = 'three' is not a number"),
    ],
)
def test_pairwise_from_upper_rejects(upper: dict[tuple[str, str], float], message: str) -> None:
    with pytest.raises(SitingError, match=message):
        pairwise_from_upper(["a", "b", "c"], upper)


def test_fmt_judgement() -> None:
    assert [fmt_judgement(v) for v in (3.0, 1 / 3, 0.333, 2.5, 1.0, 0.4)] == [
        "3",
        "1/3",
        "1/3",
        "2.5",
        "1",
        "0.4",
    ]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_csv_matrix(tmp_path: Path) -> None:
    path = _write(tmp_path, "ahp.csv", "\ufefffactor,a,b,c\na,1,1/3,5\nb,3,1,7\n\nc,0.2,1/7,1\n")
    found = read_ahp_file(path)
    assert isinstance(found, AhpMatrix)
    assert found.names == ("a", "b", "c")
    assert found.matrix == pytest.approx(np.array(STANDARD_3))
    assert ahp_weights(*found).cr == pytest.approx(0.0559, abs=5e-5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "factor,a,b\na,1,3\nb,1/3,一\n",
            r"row 3 \(b\), column 3 \(b\): '一' is not a number; write e\.g\. 3",
        ),
        (
            "factor,a,b\nb,1,3\na,1/3,1\n",
            r"row 2 is 'b' but column 2 is 'a': list the factors in the same order",
        ),
        ("factor,a,b\na,1,3\nb,1/3\n", r"row 3 \(b\) has 1 values but the header names 2 factors"),
        (
            "factor,a,b,c\na,1,3,1\nb,1/3,1,1\n",
            r"the header names 3 factors \(a, b, c\) but there are 2 factor rows",
        ),
        ("factor,a,b\na,1,3\nb,0.5,1\n", r"not reciprocal: a\[a, b\] = 3 but a\[b, a\] = 1/2"),
        ("", r"the file is empty"),
    ],
)
def test_read_csv_errors_name_file_row_and_column(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, "judgements.csv", text)
    with pytest.raises(SitingError, match=message) as info:
        read_ahp_file(path)
    assert str(info.value).startswith(f"{path}: ")


def test_read_toml_pairs(tmp_path: Path) -> None:
    text = 'factors = ["a", "b", "c"]\n[pairs]\n"a/b" = "1/3"\n"a/c" = 5\n"b/c" = 7\n'
    found = read_ahp_file(_write(tmp_path, "ahp.toml", text))
    assert found.names == ("a", "b", "c")
    assert found.matrix == pytest.approx(np.array(STANDARD_3))


def test_read_toml_order_of_appearance(tmp_path: Path) -> None:
    found = read_ahp_file(_write(tmp_path, "ahp.toml", '[pairs]\n"park / metro" = 3\n'))
    assert found.names == ("park", "metro")
    assert found.matrix == pytest.approx(np.array([[1, 3], [1 / 3, 1]]))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[pairs]\n"ab" = 3\n', r"\[pairs\] key 'ab' must name two factors as \"a/b\""),
        ('[pairs]\n"a/b" = 3\n"a/c" = 2\n', r"AHP judgements missing for b/c"),
        ('[pairs]\n"a/b" = 0\n', r"\[pairs\] 'a/b' = 0: judgements must be positive"),
        ('[pairs]\n"a/b" = true\n', r"\[pairs\] 'a/b' = True is not a number"),
        (
            'factors = ["a", "c"]\n[pairs]\n"a/b" = 3\n',
            r"factors = \['a', 'c'\] must list exactly the factors",
        ),
        ("[weights]\na = 3\n", r"no \[pairs\] table"),
        ("[pairs\n", r"not valid TOML"),
    ],
)
def test_read_toml_errors(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, "ahp.toml", text)
    with pytest.raises(SitingError, match=message) as info:
        read_ahp_file(path)
    assert str(info.value).startswith(f"{path}: ")


def test_read_file_suffix_and_missing(tmp_path: Path) -> None:
    with pytest.raises(SitingError, match=r"must be a \.csv matrix or a \.toml \[pairs\] table"):
        read_ahp_file(tmp_path / "ahp.xlsx")
    with pytest.raises(SitingError, match=r"AHP file \(.csv or .toml\) not found; pass an existing file"):
        read_ahp_file(tmp_path / "missing.csv")
