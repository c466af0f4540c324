"""A made-up catalogue and project list whose every verdict is known in advance."""

from __future__ import annotations

from pathlib import Path

import pytest

#: code, measure, scope, condition, clause, edition — invented rules, one per kind of scope.
CATALOGUE_ROWS = [
    ("C", "禁止", "中心城区", "新建和扩建", "T-1 中心城区制造业", "test"),
    ("30", "限制", "全市", "扩建", "T-2 非金属矿物制品", "test"),
    ("3011", "禁止", "生态涵养区", "新建", "T-3 生态涵养区水泥", "test"),
    ("65", "限制", "城市副中心", "", "T-4 副中心软件", "test"),
    ("2710", "限制", "海淀区", "新建", "T-5 海淀区化学药品原料药", "test"),
    ("7010", "禁止", "平原地区", "新建", "T-6 平原地区房地产开发", "test"),
]
#: Sites whose district and zone are known (WGS84).
HAIDIAN = (116.30, 39.98)  # 中关村: 海淀区, 中心城区
DAXING = (116.34, 39.73)  # 大兴区 centre: 平原地区
YANQING = (115.97, 40.46)  # 延庆区: 生态涵养区
SUBCENTRE = (116.70, 39.90)  # 通州区, inside the sub-centre
CHANGPING_PLAIN = (116.33, 40.07)  # 回龙观: 昌平区, 平原地区
FANGSHAN_PLAIN = (116.14, 39.73)  # 良乡: 房山区, 平原地区
FANGSHAN_HILLS = (115.60, 39.75)  # 房山区 west: 生态涵养区 (mountains)
TIANJIN = (117.20, 39.12)  # outside Beijing
#: name, code, site, expected verdict (None: a row error), the clauses that must match.
PROJECTS = [
    ("水泥厂-海淀", "3011", HAIDIAN, "prohibited", {"T-1 中心城区制造业", "T-2 非金属矿物制品"}),
    ("水泥厂-大兴", "C3011", DAXING, "restricted", {"T-2 非金属矿物制品"}),
    ("水泥厂-延庆", "3011", YANQING, "prohibited", {"T-2 非金属矿物制品", "T-3 生态涵养区水泥"}),
    ("软件-副中心", "6513", SUBCENTRE, "restricted", {"T-4 副中心软件"}),
    ("软件-海淀", "6513", HAIDIAN, "allowed", set()),
    ("原料药-海淀", "2710", HAIDIAN, "prohibited", {"T-1 中心城区制造业", "T-5 海淀区化学药品原料药"}),
    ("原料药-昌平", "2710", CHANGPING_PLAIN, "allowed", set()),
    ("住宅-房山山区", "7010", FANGSHAN_HILLS, "allowed", set()),
    ("住宅-良乡", "7010", FANGSHAN_PLAIN, "prohibited", {"T-6 平原地区房地产开发"}),
    ("代码错误", "99999", HAIDIAN, None, set()),
    ("天津", "6513", TIANJIN, None, set()),
]


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    lines = [",".join(header), *(",".join("" if v is None else str(v) for v in row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def catalogue_csv(tmp_path: Path) -> Path:
    header = ["code", "measure", "scope", "condition", "clause", "edition"]
    return write_csv(tmp_path / "catalogue.csv", header, [list(r) for r in CATALOGUE_ROWS])


@pytest.fixture
def projects_csv(tmp_path: Path) -> Path:
    header = ["项目名称", "行业代码", "经度", "纬度", "用地面积(公顷)", "投资额(亿元)", "容积率"]
    rows = [[name, code, lon, lat, 2, 1.5, 1.2] for name, code, (lon, lat), _, _ in PROJECTS]
    return write_csv(tmp_path / "projects.csv", header, rows)
