"""The front page's data step, run in a process of its own while the notebooks execute.

What the report's front page shows from the data alone — the key findings, the published
figures recomputed, the data-quality tables (:func:`baby_room.report_page.page_data`) and
the evidence explorer — needs nothing the notebooks make, so
:func:`baby_room.report.build_report` starts it beside the notebook kernels
(``python -m baby_room._page_worker``) instead of after them; the page itself and the Word
report, which show the notebooks' figures, are written once both are done. A separate
process rather than a thread: building the explorer's Vega bundle holds the interpreter
lock for seconds, which would stall the event loop that drives the kernels.

The child writes its files into the page's working folder and pickles its result (or its
error) to a file the parent reads; the pickle never leaves the build's private cache. The
step's files and result are cached under a hash of what it reads (:func:`start`), so a
build that re-executes a notebook with the same data does not redo it.

The files that show the notebooks' figures (the Word report) are written by a second
child, ``PageJob(step="figures")``, started as soon as the last notebook has executed, so
that they are written while the parent converts that notebook to HTML.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

from baby_room.errors import BabyRoomError, ReportError


def prepare(work, data_dir, *, threshold: int) -> dict:
    """Write the page's data-only outputs into ``work``; return :func:`page_data`'s dict.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     data = prepare(d, None, threshold=5)
    ...     sorted(p.name for p in Path(d).iterdir())
    ['evidence-explorer.html', 'tables']
    """
    from baby_room.project import load_project
    from baby_room.report_page import page_data

    work = Path(work)
    project = load_project(data_dir)
    if "evidence" in project.present:
        from baby_room.evidence.explorer import report_explorer  # issue 15

        report_explorer(work, items=project.evidence)
    return page_data(work, project, threshold=threshold)


def write_extra_outputs(folder: Path, project, *, threshold: int, data: dict | None = None
                        ) -> None:
    """Write report files that show the notebooks' figures beside data-only results, before
    the front page (which links to them).

    The place to add a further report file: write it into ``folder`` through
    :class:`baby_room.Outputs` or as a file of its own; it is cached with the front page
    and listed in the manifest. A file that needs only the data belongs in
    :func:`prepare` instead, which runs while the notebooks do
    (today: the evidence explorer, issue 15). ``data`` is what
    :func:`baby_room.report_page.page_data` computed. Today: the Word report (issue 14).

    In a build that executes notebooks it runs in a child process, started as soon as the
    last notebook has executed, while the build converts the last notebooks to HTML
    (``folder`` then holds the notebooks' figures, not their tables or pages); otherwise
    in the build's own process.
    """
    from baby_room.word import write_report_docx  # issue 14: the Word report

    write_report_docx(folder, project=project, threshold=threshold, page=data)


def write_figure_files(work, data_dir, *, threshold: int, page: dict) -> list[str]:
    """Write into ``work`` the report files that show the notebooks' figures (found in
    ``work/figures``): :func:`write_extra_outputs`, with ``page`` the
    data step's result (:func:`prepare`). Returns the files written, relative to ``work``.
    """
    from baby_room.project import load_project

    work = Path(work)
    before = set(work.rglob("*"))
    write_extra_outputs(work, load_project(data_dir), threshold=threshold, data=page)
    return sorted(p.relative_to(work).as_posix() for p in work.rglob("*")
                  if p.is_file() and p not in before)


def start(work, data_dir, *, threshold: int, cache_entry, force: bool = False,
          fork_server=None):
    """The data step for ``work``: from ``cache_entry`` when it holds one, else a child.

    ``cache_entry`` is a folder named by a hash of everything the step reads (the inputs,
    the package source, the dependency versions, the settings): the front page changes
    with every re-executed notebook, its data step only with the data and the code.
    With ``force`` the step runs again. Either way the result has ``work``, ``result()``
    and ``stop()``; a finished child's files and result are stored in ``cache_entry``.
    With ``fork_server`` (:mod:`baby_room._fork_server`) the child is forked from its warm
    interpreter.
    """
    cache_entry = Path(cache_entry)
    if not force and (cache_entry / "result.pickle").is_file():
        return CachedPageData(work, cache_entry)
    return PageJob(work, data_dir, threshold=threshold, cache_entry=cache_entry,
                   fork_server=fork_server)


class CachedPageData:
    """A data step done by an earlier build: its files copied into ``work``."""

    def __init__(self, work, cache_entry: Path):
        self.work = Path(work)
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.copytree(cache_entry / "files", self.work)
        self._result = cache_entry / "result.pickle"

    def result(self) -> dict:
        _, value = pickle.loads(self._result.read_bytes())  # a stored result is always "ok"
        return value

    def stop(self) -> None:
        pass


#: The steps :class:`PageJob` runs in a child, as its errors name them.
STEPS = {"data": "the front page's data step",
         "figures": "writing the report files that show the notebooks' figures"}


class PageJob:
    """A step of the page running in a child process: :meth:`result` waits for it.

    ``step`` is ``"data"`` (:func:`prepare`, the default) or ``"figures"``
    (:func:`write_figure_files`, given ``page``, the data step's result).
    """

    def __init__(self, work: Path, data_dir: Path, *, threshold: int, cache_entry=None,
                 fork_server=None, step: str = "data", page: dict | None = None):
        self.cache_entry = Path(cache_entry) if cache_entry is not None else None
        self.work = Path(work)
        self.step = step
        self.result_path = self.work.with_name(self.work.name + ".result.pickle")
        self.result_path.unlink(missing_ok=True)
        self.work.mkdir(parents=True, exist_ok=True)
        self._outcome = None
        self.page_path = self.work.with_name(self.work.name + ".page.pickle")  # its input
        args = [step, str(self.work), "" if data_dir is None else str(data_dir),  # "": bundled
                str(threshold), str(self.result_path)]
        if step == "figures":
            self.page_path.write_bytes(pickle.dumps(page))
            args.append(str(self.page_path))
        command = (fork_server.command(__name__, *args) if fork_server is not None
                   else [sys.executable, "-m", __name__, *args])
        self.process = subprocess.Popen(
            command, env=dict(os.environ, PYTHONHASHSEED="0"), stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)

    def result(self):
        """Wait for the child; return its result or raise its error (again on every call)."""
        if self._outcome is None:
            self._outcome = self._wait()
        status, value = self._outcome
        if status == "error":
            raise value
        return value

    def _wait(self) -> tuple:
        _, stderr = self.process.communicate()
        try:
            raw = self.result_path.read_bytes()
            status, value = pickle.loads(raw)
        except (OSError, EOFError, pickle.UnpicklingError, TypeError, ValueError):
            lines = stderr.decode("utf-8", "replace").strip().splitlines()
            return "error", ReportError(
                f"{STEPS[self.step]} failed: "
                + (lines[-1] if lines else f"exit code {self.process.returncode}"))
        finally:
            self.result_path.unlink(missing_ok=True)
            self.page_path.unlink(missing_ok=True)
        if status == "ok" and self.cache_entry is not None:
            self._store(raw)
        return status, value

    def _store(self, raw: bytes) -> None:
        """Keep the child's files and its result file as they are."""
        staging = self.work.with_name(self.work.name + ".to-cache")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(self.work, staging / "files")
        (staging / "result.pickle").write_bytes(raw)
        shutil.rmtree(self.cache_entry.parent, ignore_errors=True)  # one entry is kept
        self.cache_entry.parent.mkdir(parents=True)
        staging.rename(self.cache_entry)

    def stop(self) -> None:
        """End the child if it still runs (the build failed elsewhere)."""
        if self.process.returncode is None:
            self.process.kill()
            self.process.communicate()
        self.result_path.unlink(missing_ok=True)
        self.page_path.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    step, work, data_dir, threshold, result, *page = argv
    try:
        if step == "data":
            value = prepare(work, data_dir or None, threshold=int(threshold))
        else:
            value = write_figure_files(work, data_dir or None, threshold=int(threshold),
                                       page=pickle.loads(Path(page[0]).read_bytes()))
        payload = ("ok", value)
    except BabyRoomError as exc:  # every one pickles: the parent raises it as its own
        payload = ("error", exc)
    Path(result).write_bytes(pickle.dumps(payload))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
