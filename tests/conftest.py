"""Shared fixtures: the bundled synthetic data in file form, a headless matplotlib, and the
project's report built once per test session."""

import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
matplotlib.use("Agg")

# nbformat as the report imports it: without jsonschema's IRI grammar (3.5 s per worker)
from baby_room.report import _nbformat  # noqa: E402

_nbformat()

REPO = Path(__file__).resolve().parents[1]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Make ``make test``'s ``--dist loadgroup`` keep each ``xdist_group`` on one worker.

    pytest-xdist (3.8) tells its scheduler an item's group by appending ``@group`` to the
    item's ``_nodeid``; pytest 9.2 keeps node ids in ``_id`` instead, so the suffix is lost
    and every test is scheduled alone: the report build then ran on both workers (one of them
    waiting on the report's lock) and module-scoped fixtures of the grouped modules were
    built twice (pytest-dev/pytest-xdist#1386). On a worker under loadgroup, this adds the
    suffix the way xdist means to, unless xdist already did (an older pytest).
    """
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                 for mark in item.iter_markers("xdist_group")}
        suffix = "@" + "_".join(sorted(names))
        if names and not item.nodeid.endswith(suffix):
            from _pytest.nodeid import NodeId

            item._id = NodeId.parse(item.nodeid + suffix)


@pytest.fixture
def survey_raw():
    from baby_room import synthetic

    return synthetic.raw("survey")


@pytest.fixture
def tmp_csv(tmp_path):
    """Write text to a CSV file and return its path."""

    def write(text: str, name: str = "survey.csv", encoding: str = "utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.fixture(scope="session")
def report_build(tmp_path_factory, worker_id):
    """The report of the project's own notebooks on the bundled data, built once.

    Every test that needs the built report (tests/test_report_build.py, the notebook tests,
    the privacy scan) uses this one build: the notebooks are executed once, through the
    report's own executor. Under pytest-xdist the workers share one cache (the report's
    lock makes the second worker wait and then reuse the first one's executed notebooks)
    and each writes its own report folder from it.
    """
    from baby_room.report import build_report

    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent
    return build_report(out_dir=base / "report" / "reports", notebooks_dir=REPO / "notebooks",
                        cache_dir=shared / "report-session-cache", progress=False)


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
            self.tables[-1].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(text: str) -> list[list[list[str]]]:
    """Every <table> of an HTML page as rows of cell texts (header row first)."""
    parser = _Tables()
    parser.feed(text)
    return [t for t in parser.tables if t]


def page_text(text: str) -> str:
    """The visible text of an HTML page (tags, styles and scripts removed, entities decoded)."""
    text = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


@pytest.fixture(scope="session")
def pages():
    """Helpers that read built HTML pages: ``pages.text(html)``, ``pages.tables(html)``."""
    return type("Pages", (), {"text": staticmethod(page_text),
                              "tables": staticmethod(html_tables)})
