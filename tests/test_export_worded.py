"""Worded cells become text once per distinct object, exactly as wording every cell on its own would."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

from zgc_geo.export.worded import (
    CodeName,
    FieldName,
    FieldValue,
    by_identity,
    first_rows,
    is_worded,
    worded_cell,
    worded_frame,
)
from zgc_geo.i18n import Both, Joined, Sentence
from zgc_geo.memory import gc_paused


def plain_worded_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The simple path the fast one must equal: every cell of every worded column worded on its own."""
    out = frame.copy()
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        if pd.api.types.is_object_dtype(series) and series.map(is_worded).any():
            out.isetitem(position, series.map(lambda v: worded_cell(v, lang)))
    return out


def mixed_frame() -> pd.DataFrame:
    """Shared and distinct sentences, equal but distinct objects, lists, NaN/None, Chinese, other objects."""
    shared = Sentence("stock.why.underused", {"far": "0.5", "ratio": "0.5", "permitted": "2.0"})
    equal = Sentence("stock.why.underused", {"far": "0.5", "ratio": "0.5", "permitted": "2.0"})
    kind = Both("用而未尽", "Underused")
    fields = Joined((FieldName("status"), FieldName("owner")), list_=True)
    reasons = [
        shared,
        Sentence("stock.why.kind", {"kind": kind, "why": shared}),
        Joined((shared, Sentence("stock.why.one_of", {"fields": fields}))),
        np.nan,
        shared,
        equal,
        None,
        "已写成文字的原因",
        Sentence("stock.why.no_kind"),
        shared,
    ]
    return pd.DataFrame(
        {
            "reason": pd.Series(reasons, dtype=object),
            "all_worded": pd.Series([shared, CodeName("land_use_class", "research")] * 5, dtype=object),
            "listed": pd.Series(
                [[kind, FieldValue("is_idle", True)], [], ["a", "b"], np.nan, (kind,)] * 2, dtype=object
            ),
            "modes": pd.Series(
                [["cooperative", "acquisition"], [], ["自主"], None, ("x",)] * 2, dtype=object
            ),
            "partly": pd.Series([[kind, "a"], ["b", kind], [], None, [kind]] * 2, dtype=object),
            "numbers": pd.Series([1, 2.5, None, 3, 4] * 2, dtype=object),
            "text": pd.Series(["中文", None] * 5, dtype="str"),
            "value": np.arange(10.0),
        }
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_worded_frame_equals_wording_every_cell(lang: str) -> None:
    frame = mixed_frame()
    before = frame.copy()
    out = worded_frame(frame, lang)
    pd.testing.assert_frame_equal(out, plain_worded_frame(frame, lang), check_exact=True)
    pd.testing.assert_frame_equal(frame, before)  # the input is left as it was
    assert out["reason"].iloc[0] == out["reason"].iloc[5]  # equal objects read the same


def test_a_frame_without_worded_cells_is_returned_as_it_is() -> None:
    frame = mixed_frame()[["modes", "numbers", "text", "value"]]
    assert worded_frame(mixed_frame()[["partly"]], "en")["partly"].iloc[4] == "Underused"
    partly = mixed_frame()[["partly"]].iloc[:4]  # lists with worded items, none of them worded throughout
    assert worded_frame(partly, "en") is partly
    assert worded_frame(frame, "zh") is frame
    empty = mixed_frame().iloc[:0]
    assert worded_frame(empty, "en") is empty


def test_every_row_sharing_an_object_gets_its_text() -> None:
    shared = Sentence("stock.why.no_kind")
    frame = pd.DataFrame({"reason": pd.Series([shared] * 1000 + [np.nan], dtype=object)})
    out = worded_frame(frame, "en")["reason"]
    assert out.iloc[:1000].eq(worded_cell(shared, "en")).all() and pd.isna(out.iloc[1000])


def test_cells_are_told_apart_by_identity_in_order_of_first_appearance() -> None:
    a, b = Sentence("stock.why.no_kind"), Sentence("stock.why.no_kind")
    values = np.array([a, b, a, None, b, None], dtype=object)
    codes, firsts = by_identity(values)
    assert codes.tolist() == [0, 1, 0, 2, 1, 2]
    assert firsts.tolist() == [0, 1, 3]
    assert first_rows(np.array([], dtype=np.int64)).tolist() == []


def test_the_collector_is_paused_only_inside_and_left_as_it_was() -> None:
    was = gc.isenabled()
    try:
        gc.enable()
        with pytest.raises(ValueError), gc_paused():
            assert not gc.isenabled()
            raise ValueError
        assert gc.isenabled()
        gc.disable()
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller that turned it off keeps it off
    finally:
        (gc.enable if was else gc.disable)()
