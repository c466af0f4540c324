"""Land-use codes and names of every Chinese scheme map onto one class list, and doubts are reported."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zgc_geo.catalogue import load_layer
from zgc_geo.errors import LayerError
from zgc_geo.importing.land_use import LandUseVocabulary, Reading, classify_land_use, load_vocabulary

GB50137 = "GB 50137-2011"
GBT2017 = "GB/T 21010-2017"
GUIDE2023 = "用地用海分类指南(2023)"


def classify_one(value: object) -> tuple[object, object, list[str]]:
    classes, schemes, problems = classify_land_use(pd.Series([value], dtype=object))
    return classes.iloc[0], schemes.iloc[0], [p.code for p in problems]


@pytest.mark.parametrize(
    ("value", "class_id", "scheme"),
    [
        ("M1", "industrial_m1", GB50137),
        ("m2", "industrial_m2", GB50137),
        (" Ｍ３ ", "industrial_m3", GB50137),  # full-width, padded
        ("M", "industrial", GB50137),
        ("W1", "logistics_warehouse", GB50137),
        ("A35", "research", GB50137),
        ("B29", "commercial_business", GB50137),
        ("H5", "mining", GB50137),
        ("R", "other", GB50137),
        ("100101", "industrial_m1", GUIDE2023),
        ("100103", "industrial_m3", GUIDE2023),
        ("110102", "logistics_warehouse", GUIDE2023),
        ("110101", "logistics_warehouse", GUIDE2023),
        ("0505", "commercial_business", GBT2017),
        ("061", "industrial", "GB/T 21010-2007"),
        ("0601 工业用地", "industrial", GBT2017),  # the name settles the scheme
        ("1001工业用地", "industrial", GUIDE2023),
        ("M1 一类工业", "industrial_m1", GB50137),
        ("M1-一类工业用地", "industrial_m1", GB50137),
        ("一类工业用地", "industrial_m1", None),  # the same name in two schemes
        ("二类工业", "industrial_m2", None),
        ("工业用地", "industrial", None),
        ("物流仓储用地", "logistics_warehouse", None),
        ("科研用地", "research", None),
        ("industrial", "industrial", None),  # a class id
    ],
)
def test_codes_and_names_of_every_scheme(value: str, class_id: str, scheme: str | None) -> None:
    assert classify_one(value) == (class_id, scheme if scheme else pd.NA, [])


@pytest.mark.parametrize(
    ("value", "class_id", "meanings"),
    [
        (
            "0601",
            "industrial",
            "工业用地 (industrial) in GB/T 21010-2017, 乡村道路用地 (other) in 用地用海分类指南(2023)",
        ),
        (
            "1001",
            "industrial",
            "铁路用地 (other) in GB/T 21010-2017, 工业用地 (industrial) in 用地用海分类指南(2023)",
        ),
        ("1101", "logistics_warehouse", "河流水面 (other) in GB/T 21010-2017"),
        (
            "1102",
            "logistics_warehouse",
            "湖泊水面 (other) in GB/T 21010-2017, 储备库用地 (logistics_warehouse)",
        ),
        (
            "0804",
            "research",
            "科研用地 (research) in GB/T 21010-2017, 教育用地 (other) in 用地用海分类指南(2023)",
        ),
        (
            "0802",
            "research",
            "新闻出版用地 (other) in GB/T 21010-2017, 科研用地 (research) in 用地用海分类指南(2023)",
        ),
    ],
)
def test_a_code_with_two_meanings_prefers_the_industrial_reading_and_warns(
    value: str, class_id: str, meanings: str
) -> None:
    classes, _schemes, problems = classify_land_use(pd.Series(["M1", value, value]), first_row_number=2)
    assert classes.tolist()[1:] == [class_id, class_id]
    # One warning per distinct value, naming every row it concerns.
    assert [(p.severity, p.code, p.row, p.value) for p in problems] == [
        ("warning", "land_use_code_ambiguous", 3, value),
    ]
    assert problems[0].message.startswith(f"the code means {meanings}")
    assert f"; read as {class_id}" in problems[0].message
    assert problems[0].message.endswith("(2 rows: 3, 4)")
    assert "write the name with the code (e.g. '0601 工业用地')" in problems[0].hint


def test_the_rest_of_the_column_settles_the_scheme_silently() -> None:
    classes, schemes, problems = classify_land_use(pd.Series(["100101", "100102", "0601", "1101"]))
    # A column of 2023 guide codes: 0601 is 乡村道路用地 and 1101 物流仓储用地 there.
    assert classes.tolist() == ["industrial_m1", "industrial_m2", "other", "logistics_warehouse"]
    assert schemes.tolist() == [GUIDE2023] * 4
    assert problems == []


def test_an_ambiguity_no_rule_can_settle_is_left_unclassified() -> None:
    readings = (Reading("research", "A", "科研"), Reading("commercial_business", "B", "商务"))
    vocabulary = LandUseVocabulary({"X1": readings}, {}, frozenset({"industrial"}), ("A", "B"))
    classes, schemes, problems = classify_land_use(pd.Series(["X1"]), vocabulary=vocabulary)
    assert classes.isna().all() and schemes.isna().all()
    assert (
        problems[0].message
        == "the code means 科研 (research) in A, 商务 (commercial_business) in B; left unclassified"
    )


def test_unknown_codes_warn_once_per_value_with_their_rows() -> None:
    codes = pd.Series(["M1", "Z9", None, "", "Z9", "住宅?"], index=[10, 11, 12, 13, 14, 15])
    classes, schemes, problems = classify_land_use(codes, first_row_number=2, field="用地性质")
    assert classes.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert classes.tolist()[:1] == ["industrial_m1"]
    assert classes.iloc[1:].isna().all() and schemes.iloc[1:].isna().all()
    assert [(p.code, p.row, p.field, p.value) for p in problems] == [
        ("land_use_unknown", 3, "用地性质", "Z9"),
        ("land_use_unknown", 7, "用地性质", "住宅?"),
    ]
    assert problems[0].message == "land-use code 'Z9' is not in any known scheme (2 rows: 3, 6)"
    assert problems[0].hint.startswith(
        "use a code or name of GB 50137-2011, GB/T 21010-2017, GB/T 21010-2007, 用地用海分类指南(2023)"
    )
    assert problems[0].hint.endswith("add a local code to layers/land_use_codes.csv")


def test_a_code_typed_into_a_number_cell_gets_its_leading_zero_back() -> None:
    classes, _schemes, _problems = classify_land_use(pd.Series([601, 601.0, 61], dtype=object))
    assert classes.tolist() == ["industrial", "industrial", "industrial"]  # 0601 (2017) and 061 (2007)


def test_a_name_contradicting_its_code_is_reported_and_the_code_wins() -> None:
    assert classify_one("M1 二类工业用地") == ("industrial_m1", GB50137, ["land_use_name_mismatch"])
    _c, _s, problems = classify_land_use(pd.Series(["M1 二类工业用地"]))
    assert problems[0].message.startswith("the name '二类工业用地' does not match code 'M1' (一类工业用地")


def test_every_code_points_at_a_known_class_and_industrial_is_a_flag() -> None:
    classes = load_layer("land_use_classes").set_index("class_id")
    assert set(classes.index) == {
        "industrial_m1", "industrial_m2", "industrial_m3", "industrial", "logistics_warehouse",
        "research", "commercial_business", "mining", "other",
    }  # fmt: skip
    assert set(load_layer("land_use_codes")["class_id"]) <= set(classes.index)
    vocabulary = load_vocabulary()
    assert vocabulary.industrial == {"industrial_m1", "industrial_m2", "industrial_m3", "industrial"}


def test_a_broken_code_table_names_every_bad_line(data_copy: Path) -> None:
    table = data_copy / "layers" / "land_use_codes.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    table.write_text(
        "\n".join(
            [*lines, "GB 50137-2011,M9,九类工业用地,industrial_m9,", "GB 50137-2011,m1,重复,industrial_m1,"]
        )
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(LayerError) as caught:
        load_vocabulary()
    message = str(caught.value)
    assert (
        f"land_use_codes.csv line {len(lines) + 1}, field 'class_id': 'industrial_m9' is not a class_id"
        in message
    )
    assert f"land_use_codes.csv line {len(lines) + 2}: GB 50137-2011 code 'm1' repeats line 3" in message
