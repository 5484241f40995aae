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


class PageJob:
    """The data step running in a child process: :meth:`result` waits for it."""

    def __init__(self, work: Path, data_dir: Path, *, threshold: int, cache_entry=None,
                 fork_server=None):
        self.cache_entry = Path(cache_entry) if cache_entry is not None else None
        self.work = Path(work)
        self.result_path = self.work.with_name(self.work.name + ".result.pickle")
        self.result_path.unlink(missing_ok=True)
        self.work.mkdir(parents=True, exist_ok=True)
        args = [str(self.work), "" if data_dir is None else str(data_dir),  # "": bundled
                str(threshold), str(self.result_path)]
        command = (fork_server.command(__name__, *args) if fork_server is not None
                   else [sys.executable, "-m", __name__, *args])
        self.process = subprocess.Popen(
            command, env=dict(os.environ, PYTHONHASHSEED="0"), stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)

    def result(self) -> dict:
        """Wait for the child; return its dict or raise its error."""
        _, stderr = self.process.communicate()
        try:
            raw = self.result_path.read_bytes()
            status, value = pickle.loads(raw)
        except (OSError, EOFError, pickle.UnpicklingError, TypeError, ValueError):
            lines = stderr.decode("utf-8", "replace").strip().splitlines()
            raise ReportError("the front page's data step failed: "
                              + (lines[-1] if lines else f"exit code {self.process.returncode}")
                              ) from None
        finally:
            self.result_path.unlink(missing_ok=True)
        if status == "error":
            raise value
        if self.cache_entry is not None:
            self._store(raw)
        return value

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


def main(argv: list[str]) -> int:
    work, data_dir, threshold, result = argv
    try:
        payload = ("ok", prepare(work, data_dir or None, threshold=int(threshold)))
    except BabyRoomError as exc:  # every one pickles: the parent raises it as its own
        payload = ("error", exc)
    Path(result).write_bytes(pickle.dumps(payload))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
