"""Two steps of the report build that are not figure drawing (issue 13, item 5).

Rows:
- the front page's data step (``baby_room._page_worker.prepare``: key findings, published
  figures, data-quality and publication tables, the evidence explorer) on the bundled
  data written as files (as a report build reads them), against loading the same project (``load_project`` and its four tables: the
  floor of any step that reads the data);
- the Word report written from the front page's data step (``page_data``: findings,
  publication tables, quality overview, sources; what the report's last, serial step
  does), with 20 figures, against python-docx putting the same figures into an empty
  document and saving it (the floor of any Word report with those figures);
- the room table of the bundled survey asked for 21 times, as the survey notebook's
  indicator functions do (``build_rooms`` keeps it under a fingerprint of the
  respondent table), against building it 21 times without the memo.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from _common import best_of, row

import baby_room as br
from baby_room._page_worker import prepare
from baby_room.kinds import KINDS
from baby_room.project import load_project
from baby_room.report_page import page_data
from baby_room.survey import _rooms
from baby_room.word import write_report_docx


def _figures(folder: Path, n: int = 20) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    (folder / "figures").mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        fig, ax = plt.subplots(figsize=(8, 5))
        ax.plot(range(50), [(j * (i + 1)) % 17 for j in range(50)])
        path = folder / "figures" / f"survey-figure-{i:02d}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        paths.append(path)
    return paths


def run() -> list[dict]:
    import docx
    from docx.shared import Cm

    rows = []
    with tempfile.TemporaryDirectory() as d:
        data = Path(d) / "data"  # the bundled data as files, as a report build reads it
        br.synthetic.write_all(data)
        prepare(Path(d) / "warm-up", data, threshold=5)  # first-call imports and caches

        def page_step():
            with tempfile.TemporaryDirectory() as work:
                prepare(work, data, threshold=5)

        def load():
            project = load_project(data)
            for kind in KINDS:
                getattr(project, kind)

        rows.append(row("front page's data step (prepare), bundled data as files",
                        best_of(page_step, 5), "load_project + its four tables",
                        best_of(load, 5), "-", None))

    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        pngs = _figures(folder)
        page = page_data(folder / "page", br.load_project(), threshold=5)

        def word():
            write_report_docx(folder, project=br.load_project(), threshold=5, page=page)

        def floor():
            document = docx.Document()
            for png in pngs:
                document.add_picture(str(png), width=Cm(15))
            document.save(io.BytesIO())

        rows.append(row("Word report from the page data step, 20 figures", best_of(word),
                        "python-docx: the same figures in an empty document, saved",
                        best_of(floor), "-", None))

    survey = br.synthetic.survey()

    def memoised():
        _rooms._MEMO.clear()
        for _ in range(21):
            _rooms.build_rooms(survey, function="rooms")

    def rebuilt():
        for _ in range(21):
            _rooms._build(survey)

    rows.append(row("room table asked for 21 times (memoised), 434 respondents",
                    best_of(memoised), "built 21 times without the memo", best_of(rebuilt),
                    "-", None))
    return rows
