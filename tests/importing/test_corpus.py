"""`zgc-geo validate` gives the right verdict and a useful message for every input of the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from zgc_geo.cli import command as cli
from zgc_geo.cli import importing as cli_import
from zgc_geo.importing.pipeline import ImportOptions, import_file

from .corpus import CASES, Case


def cli_args(case: Case, path: Path) -> list[str]:
    return ["validate", str(path), *(arg.replace("{dir}", str(path.parent)) for arg in case.args)]


def import_options(argv: list[str]) -> ImportOptions:
    """The ImportOptions `zgc-geo validate` builds from ``argv``, parsed by the CLI's own parser."""
    args = cli._build_parser().parse_args(argv)
    return cli_import.import_options(args, args.kind)


def test_the_corpus_is_large_and_its_names_unique() -> None:
    names = [case.name for case in CASES]
    assert len(CASES) >= 25
    assert len(set(names)) == len(names), sorted(n for n in names if names.count(n) > 1)
    assert all(case.fragments for case in CASES), "every case pins at least one message fragment"
    assert {case.exit_code for case in CASES} == {0, 1, 2}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_validate_verdict_and_message(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    path = case.build(tmp_path)
    argv = cli_args(case, path)

    code = cli.main(argv)
    out, err = capsys.readouterr()
    text = out + err

    assert "Traceback" not in text
    assert "internal error" not in text
    assert code == case.exit_code, text
    if case.verdict is None:
        assert out == "", "an unreadable file gets one error line on stderr, no verdict"
        assert err.startswith("zgc-geo: error: ") and err.count("\n") == 1, err
    else:
        first = out.splitlines()[0]
        assert first.startswith(f"{case.verdict}: "), first
        assert err == "", err
    for fragment in case.fragments:
        assert fragment in text, f"{fragment!r} missing from:\n{text}"
    for fragment in case.absent:
        assert fragment not in text, f"{fragment!r} should not be in:\n{text}"

    if case.code or case.check:
        result = import_file(path, import_options(argv))
        codes = [p.code for p in result.report.problems]
        if case.code:
            assert case.code in codes, codes
        if case.check:
            case.check(result, path)
