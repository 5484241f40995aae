"""The baby-room command: validate (exit 0 clean / 1 not), synth, codebook, --version."""

import subprocess
import sys
from pathlib import Path

import pytest

import baby_room as br
from baby_room.cli import main
from baby_room.synthetic import raw

REPO = Path(__file__).resolve().parents[1]


def test_validate_clean_file(tmp_path, capsys):
    path = tmp_path / "survey.csv"
    path.write_bytes(br.synthetic.to_csv_bytes(raw("survey")))
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "survey file is valid — 434 rows" in out
    assert "marked as SYNTHETIC data" in out
    assert "5 rooms are described differently by two respondents" in out


def test_validate_bad_file_lists_problems(tmp_path, capsys):
    frame = raw("evidence").astype(object)
    frame.loc[3, "year"] = "19xx"
    path = tmp_path / "my-review.csv"
    frame.to_csv(path, index=False)
    assert main(["validate", str(path), "--kind", "evidence"]) == 1
    out = capsys.readouterr().out
    assert f"file {path}, row 5, column year: value '19xx' - type: expected a whole number" in out


def test_validate_unreadable_file(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "survey.csv")]) == 1
    assert "cannot read survey file" in capsys.readouterr().out


def test_validate_needs_kind_when_name_is_silent(tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_text("a\n1\n")
    assert main(["validate", str(path)]) == 2
    assert "pass --kind" in capsys.readouterr().err


def test_synth_writes_the_bundled_files(tmp_path):
    assert main(["synth", "--out", str(tmp_path)]) == 0
    for name in br.synthetic.FILES.values():
        assert (tmp_path / name).read_bytes() == (REPO / "data" / "synthetic" / name).read_bytes()


def test_codebook_markdown_is_current(tmp_path):
    out = tmp_path / "README.md"
    assert main(["codebook", "--out", str(out)]) == 0
    assert out.read_text() == (REPO / "data" / "README.md").read_text()


def test_version_console_script():
    exe = Path(sys.executable).with_name("baby-room")
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"baby-room {br.__version__}"


def test_kind_is_read_from_the_exact_file_name(tmp_path, capsys):
    # "survey_vs_coding" names two kinds: it is neither, and the user is asked
    path = tmp_path / "survey_vs_coding.csv"
    path.write_bytes(br.synthetic.to_csv_bytes(raw("survey")))
    assert main(["validate", str(path)]) == 2
    assert "pass --kind" in capsys.readouterr().err
    named = tmp_path / "survey-2025.csv"
    named.write_bytes(path.read_bytes())
    assert main(["validate", str(named)]) == 0


def test_validate_refuses_a_fifo_without_blocking(tmp_path, capsys):
    import os

    path = tmp_path / "survey.csv"
    os.mkfifo(path)  # opening it for reading would wait for a writer for ever
    assert main(["validate", str(path)]) == 1
    assert "survey.csv: is a FIFO (named pipe), not a regular data file" in capsys.readouterr().out


def test_validate_refuses_a_folder(tmp_path, capsys):
    (tmp_path / "coding.csv").mkdir()
    assert main(["validate", str(tmp_path / "coding.csv")]) == 1
    assert "coding.csv: is a folder, not a data file" in capsys.readouterr().out


def test_terminal_escapes_from_a_file_are_not_printed(tmp_path, capsys):
    frame = raw("evidence").astype(object)
    frame.loc[0, "year"] = "\x1b[2J19xx"  # "clear the screen", then a bad year
    path = tmp_path / "evidence.csv"
    frame.to_csv(path, index=False)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2J19xx" in out
