"""Screening against a made-up catalogue: every verdict, matched rule and row error known in advance."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.projects.conftest import PROJECTS
from zgc_geo.plan_data import plan_from_catalogue
from zgc_geo.projects.catalogue import load_catalogue
from zgc_geo.projects.codes import industry_codes
from zgc_geo.projects.intake import read_projects
from zgc_geo.projects.intensity import load_thresholds
from zgc_geo.projects.screening import screen_projects


@pytest.fixture
def screened(catalogue_csv: Path, projects_csv: Path) -> pd.DataFrame:
    codes = industry_codes()
    projects = read_projects(projects_csv, codes)
    result = screen_projects(
        projects, load_catalogue(catalogue_csv), codes, plan_from_catalogue(), load_thresholds()
    )
    return result.table.assign(clauses=[set(r["clause"]) for r in result.rules])


def test_every_verdict_is_the_one_known_in_advance(screened: pd.DataFrame) -> None:
    for (name, _, _, verdict, clauses), (_, row) in zip(PROJECTS, screened.iterrows(), strict=True):
        assert (row["verdict"] if isinstance(row["verdict"], str) else None) == verdict, name
        assert row["clauses"] == clauses, name


def test_sites_get_their_district_and_zone(screened: pd.DataFrame) -> None:
    zones = dict(
        zip([p[0] for p in PROJECTS], zip(screened["district"], screened["zone"], strict=True), strict=True)
    )
    assert zones["水泥厂-海淀"] == ("海淀区", "中心城区")
    assert zones["水泥厂-大兴"] == ("大兴区", "平原地区")
    assert zones["水泥厂-延庆"] == ("延庆区", "生态涵养区")
    assert zones["软件-副中心"] == ("通州区", "城市副中心")
    assert zones["住宅-房山山区"] == ("房山区", "生态涵养区")
    assert zones["住宅-良乡"] == ("房山区", "平原地区")
    assert pd.isna(list(zones["天津"])).all()


def test_rows_with_errors_get_no_verdict_and_say_why(screened: pd.DataFrame) -> None:
    errors = dict(zip([p[0] for p in PROJECTS], screened["errors"], strict=True))
    assert [e.key for e in errors["代码错误"]] == ["projects.error.code_invalid"]
    assert [e.key for e in errors["天津"]] == ["projects.error.outside_beijing"]
    assert sum(bool(e) for e in errors.values()) == 2


def test_units_in_headers_are_converted(screened: pd.DataFrame) -> None:
    # 2 公顷 = 30 亩, 1.5 亿元 = 15 000 万元: 500 万元/亩, the default floor, so it passes
    assert screened["investment_per_mu_wan"].iloc[0] == pytest.approx(500.0)
    assert screened["investment_per_mu_wan_check"].iloc[0] == "pass"
    assert screened["output_per_mu_wan_check"].iloc[0] == "unknown"
    assert screened["far_check"].iloc[0] == "pass"
