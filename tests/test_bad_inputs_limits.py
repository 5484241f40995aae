"""The issue-16 reader cases of the bad-input corpus, run under a memory cap and a time guard.

Each case of ``tests/bad_inputs/corpus_survey_loading.py`` (plus a 14 MB CSV with a million
columns made here) is loaded in a fresh interpreter whose address space is capped at 1 GiB
(``resource.setrlimit(RLIMIT_AS)``) with a 120 s timeout for all of them: a reader that
builds a dense 17-billion-cell sheet, a million-column frame or a 120-million-row Parquet
column dies there instead of passing. Every case must end as the manifest says (the
documented error with its message fragment, or a load).
"""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CAP_BYTES = 1024**3

RUNNER = r"""
import json, resource, sys, warnings
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
import baby_room as br
warnings.simplefilter("ignore")
out = []
for path, kwargs in json.loads(sys.stdin.read()):
    try:
        br.load_survey(path, **kwargs)
        out.append(["ok", ""])
    except MemoryError:
        out.append(["MemoryError", ""])
    except Exception as exc:
        out.append([type(exc).__name__, str(exc)])
print(json.dumps(out))
"""


def _entries(tmp_path):
    recorded = []

    def entry(file, loader, expected, message, note, **kwargs):
        recorded.append((file, loader, expected, message, kwargs))

    def write(name, data, encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))

    runpy.run_path(str(CORPUS / "corpus_survey_loading.py"))["build"](entry, write)
    return recorded


def test_reader_cases_under_a_memory_cap(tmp_path):
    cases = _entries(tmp_path)
    assert len(cases) >= 17
    million = tmp_path / "million_columns.csv"
    with open(million, "w", encoding="utf-8") as fh:
        fh.write(",".join(f"c{i}" for i in range(1_000_000)) + "\n")
        fh.write("1," * 999_999 + "1\n")
    cases.append((million.name, "survey", "FileFormatError",
                  "has 1,000,000 columns; the limit is 5,000 columns", {}))
    jobs = [[str(tmp_path / f), kwargs] for f, _, _, _, kwargs in cases]
    try:
        done = subprocess.run([sys.executable, "-c", RUNNER.format(cap=CAP_BYTES)],
                              input=json.dumps(jobs), capture_output=True, text=True,
                              timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the reader cases did not finish within 120 s")
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    for (file, _, expected, fragment, _), (got, message) in zip(cases, results, strict=True):
        assert got == expected, (file, got, message)
        assert fragment in message, (file, message)
        if expected != "ok":
            assert str(tmp_path / file) in message, (file, message)
