"""The one-command reproducible report: executed notebooks, figures, tables, findings, manifest.

``build_report`` (and ``baby-room report``, called by ``make report``):

1. checks the output folder: it must be new, empty, or a report this function made (it
   holds the marker file ``.baby_room-report``); the data folder, the notebooks, the cache,
   the working directory or any folder holding them are refused (nothing is deleted);
2. resolves the inputs (the bundled synthetic data, written out byte-identically, or a
   folder of real data holding any of the data sets: the absent ones are named on the
   page and the notebooks that need them are not run), refuses special files (FIFOs,
   devices, folders) before anything opens them, and hashes the inputs;
3. executes every ``notebooks/NN-*.ipynb`` with a real Jupyter kernel (nbclient), side by
   side (up to two per core), injecting ``DATA_DIR`` and ``OUTPUT_DIR`` (paths relative
   to a private working folder, so the pages do not depend on where the report is built)
   after the cell tagged ``parameters``; each notebook writes its figures (PNG 200 dpi + SVG)
   and tables (CSV + Excel) through :class:`baby_room.Outputs`, which applies disclosure
   control (to the tables it saves and to the tables the notebook displays); the kernels
   are forked from one interpreter that has imported the stack they share once
   (:mod:`baby_room._fork_server`, kept for later builds in the same process);
4. caches each notebook's outputs under a content hash of the notebook, the inputs it
   reads (found from ``project.<kind>`` in its code, so notebooks pass tables, not the
   project, to functions; ``metadata.baby_room.reads`` declares them otherwise), the
   package source, the dependency versions and the settings — a rebuild with nothing
   changed executes nothing and imports no notebook machinery, and a changed input
   re-executes only the notebooks that read it; the front page is cached the same way;
5. writes the front page ``index.html`` (:mod:`baby_room.report_page`: key findings, the
   data-quality tables, the rows and cells set aside with their reasons), each executed
   notebook as HTML (converted as soon as it finishes), any extra outputs
   (:func:`write_extra_outputs`) and ``manifest.json`` (inputs and outputs with SHA-256,
   versions, git commit, seed); what the page computes from the data alone, and the
   evidence explorer, are computed by :mod:`baby_room._page_worker` in a process of its
   own while the notebooks run, and the extra outputs in another as soon as the last
   notebook has executed, while it is converted to HTML;
6. builds everything in a temporary folder and swaps it in at the end, so a failing
   notebook leaves the previous report intact; the error names the notebook, the cell
   and the error. Two builds of one report or one cache wait for each other (a lock
   file); a killed build leaves only leftovers that the next build removes.

Builds are deterministic: the same inputs give byte-identical files, wherever the report
folder is.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from baby_room import _page_worker
from baby_room._page_worker import write_extra_outputs
from baby_room._version import __version__
from baby_room.errors import ReportError
from baby_room.kinds import KINDS, OPTIONAL_KINDS

#: Packages whose versions the manifest records and the cache key includes.
MAIN_DEPENDENCIES = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn",
                     "openpyxl", "pyarrow", "pyreadstat", "pycountry", "nbclient", "nbconvert",
                     "ipykernel", "jinja2")
_READS = re.compile(r"\bproject\.(survey|coding|codebook|evidence|set_aside|set_aside_cells|tables)\b")
#: The file that marks a folder as a report made by :func:`build_report` (safe to replace).
MARKER = ".baby_room-report"
MARKER_TEXT = ("This folder is a report built by baby_room (baby-room report).\n"
               "The next build replaces the whole folder: keep nothing else here.\n")


@dataclass
class ReportResult:
    """What a build did.

    Attributes
    ----------
    out_dir : pathlib.Path
        The report folder.
    executed, reused : list of str
        Notebooks executed in this build, and those whose cached outputs were reused.
    skipped : list of str
        Notebooks not run because a data set they read is absent.
    absent : list of str
        Data sets the data folder did not hold.
    files : list of pathlib.Path
        Every file of the report.
    seconds : float
        Wall time of the build.

    Examples
    --------
    >>> ReportResult(out_dir=Path("reports"), executed=["01-x.ipynb"], seconds=2.5).summary()
    '0 files; notebooks executed: 1, reused from cache: 0; 2.5 s'
    """

    out_dir: Path
    executed: list = field(default_factory=list)
    reused: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    absent: list = field(default_factory=list)
    files: list = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        text = (f"{len(self.files)} files; notebooks executed: {len(self.executed)}, "
                f"reused from cache: {len(self.reused)}; {self.seconds:.1f} s")
        if self.absent:
            text += (f"; absent: {', '.join(self.absent)} (notebooks not run: "
                     f"{', '.join(self.skipped) or 'none'})")
        return text


# ---------------------------------------------------------------- helpers


def sha256_file(path) -> str:
    """SHA-256 of a file's bytes, as hex.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = open(os.path.join(d, "x"), "wb").write(b"abc")
    ...     sha256_file(os.path.join(d, "x"))[:16]
    'ba7816bf8f01cfea'
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def notebook_reads(nb) -> list[str]:
    """Which data sets a notebook reads: the ``project.<kind>`` it uses.

    ``metadata.baby_room.reads`` (a list of kinds) overrides the detection.
    A notebook that uses ``project.set_aside`` or ``project.tables`` reads everything.

    Examples
    --------
    ``nb`` is a notebook node or the plain JSON of one (no notebook library needed).

    >>> nb = {"metadata": {}, "cells": [
    ...     {"cell_type": "code", "source": ["rooms = br.survey.rooms(project.survey)"]}]}
    >>> notebook_reads(nb)
    ['survey']
    """
    declared = nb.get("metadata", {}).get("baby_room", {}).get("reads")
    if declared:
        return sorted(set(declared))
    code = "\n".join(_source(c) for c in nb["cells"] if c.get("cell_type") == "code")
    found = set(_READS.findall(code))
    if found & {"set_aside", "set_aside_cells", "tables"}:
        return list(KINDS)
    return sorted(found)


def notebook_imports(paths) -> list[str]:
    """The modules the notebooks at ``paths`` import, in order of first import.

    Read from each code cell's ``import`` statements, IPython's ``%`` and ``!`` lines left
    out (a cell that still does not parse is skipped); ``from a import b`` names ``a`` and
    ``a.b``, which may be a module. A module whose top-level name is a file or folder
    beside the notebook is left out: it is the notebook's own, so only installed modules
    are imported ahead of a kernel (:func:`_fork_server_for`).

    Examples
    --------
    >>> import json, tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> cell = {"cell_type": "code", "source": "import json, helpers\\n"
    ...         "from baby_room import survey as sv\\n%time x = 1"}
    >>> _ = (d / "a.ipynb").write_text(json.dumps({"cells": [cell]}))
    >>> _ = (d / "helpers.py").write_text("")
    >>> notebook_imports([d / "a.ipynb"])
    ['json', 'baby_room', 'baby_room.survey']
    """
    import ast

    names: dict[str, None] = {}
    for path in map(Path, paths):
        local = {p.stem for p in path.parent.iterdir()}
        for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
            code = "\n".join(line for line in _source(cell).splitlines()
                             if not line.lstrip().startswith(("%", "!")))
            try:
                tree = ast.parse(code) if cell.get("cell_type") == "code" else None
            except SyntaxError:
                continue
            for node in ast.walk(tree) if tree is not None else ():
                if isinstance(node, ast.Import):
                    found = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                else:
                    continue
                names.update((n, None) for n in found if n.split(".")[0] not in local)
    return list(names)


def _source(cell) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def dependency_versions() -> dict[str, str | None]:
    """Installed versions of the main dependencies (None when not installed).

    Examples
    --------
    >>> import pandas as pd
    >>> dependency_versions()["pandas"] == pd.__version__
    True
    """
    from importlib import metadata

    out = {}
    for name in MAIN_DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def package_source_hash() -> str:
    """SHA-256 over the package's own source files (so a code change invalidates the cache).

    Examples
    --------
    >>> len(package_source_hash())
    64
    """
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".csv", ".j2", ".json", ".html", ".css"}:
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def git_state(cwd=None) -> dict:
    """The git commit of the working tree and whether it has uncommitted changes.

    Both are None outside a git checkout (for example in an installed copy).

    Examples
    --------
    >>> sorted(git_state())
    ['commit', 'dirty']
    """
    def run(*args):
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=20, check=True).stdout.strip()
    try:
        commit = run("rev-parse", "HEAD")
        dirty = bool(run("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": dirty}


class _Progress:
    """A tqdm bar on a terminal; plain lines elsewhere (CI, logs)."""

    def __init__(self, total: int, enabled: bool | None = None):
        interactive = sys.stderr.isatty() and not os.environ.get("CI")
        self.bar = None
        if enabled is not False and interactive:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="step", file=sys.stderr, leave=True)
        self.quiet = enabled is False

    def note(self, text: str) -> None:
        if not self.quiet:
            print(f"[report] {text}", file=sys.stderr, flush=True)

    def step(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_description(text)
            self.bar.update(1)
        elif not self.quiet:
            print(f"[report] {text}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ---------------------------------------------------------------- notebooks


def _nbformat():
    """Import ``nbformat`` (and so jsonschema) without jsonschema's IRI format checker.

    jsonschema imports the optional ``rfc3987-syntax`` package (pulled in by jupyter-events)
    for its ``iri`` format checks, and that package compiles 38 lark grammars when it is
    imported: 3.5 s of every process that loads the Jupyter machinery, more than the rest
    of it together (python-jsonschema issue #1392). Notebook schemas use no ``iri``
    format, so the package is kept out while jsonschema is first imported; jsonschema
    catches the ImportError and registers no ``iri`` check. Importing ``rfc3987_syntax``
    later still works.
    """
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # an ImportError for anyone importing it now
        try:
            import nbformat
        finally:
            if sys.modules.get("rfc3987_syntax", 0) is None:
                del sys.modules["rfc3987_syntax"]
    import nbformat

    return nbformat


def _inject_parameters(nb, params: dict):
    nbformat = _nbformat()

    lines = ["# Parameters injected by baby_room.report"]
    for key, value in params.items():
        lines.append(f"{key} = {value!r}")
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    cell.pop("id", None)
    index = next((i for i, c in enumerate(nb.cells)
                  if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if index is None:
        raise ReportError(f"notebook {nb.metadata.get('_name', '?')} has no cell tagged "
                          "'parameters' (it must define DATA_DIR and OUTPUT_DIR)")
    nb.cells.insert(index + 1, cell)
    for i, c in enumerate(nb.cells):  # stable cell ids: byte-identical executed notebooks
        c["id"] = f"cell-{i}"
    return nb


def _failing_cell(nb) -> tuple[int, str]:
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return i, f"{output.get('ename')}: {output.get('evalue')}"
    return -1, "unknown error"


def _prepare(path: Path, *, data_dir: Path, output_dir: Path, cwd: Path | None):
    nbformat = _nbformat()

    cwd = Path(cwd) if cwd is not None else path.parent
    nb = nbformat.read(path, as_version=4)
    nb.metadata["_name"] = path.name
    # paths relative to the kernel's working folder: the same wherever the build runs
    _inject_parameters(nb, {"DATA_DIR": os.path.relpath(data_dir, cwd),
                            "OUTPUT_DIR": os.path.relpath(output_dir, cwd)})
    del nb.metadata["_name"]
    return nb, cwd


#: What the front page's data step imports, itself last: the fork server forks the step as
#: soon as it has imported these, before the kernels' stack.
_PAGE_STEP_IMPORTS = ("baby_room.report_page", "baby_room.evidence.explorer",
                      "baby_room._page_worker")


def _fork_server_for(threshold: int, notebooks, *, source: str):
    """The process's fork server (:mod:`baby_room._fork_server`) for the package source
    hash ``source``, warmed with what the notebooks import; None where processes cannot be
    forked."""
    from baby_room import _fork_server

    env = _kernel_env(threshold)
    env.pop("BABY_ROOM_MIN_CELL_COUNT")  # each kernel is given its own
    return _fork_server.shared(env=env, source=source, early=_PAGE_STEP_IMPORTS,
                               preload=notebook_imports(notebooks))


def _kernel_env(threshold: int) -> dict:
    return dict(os.environ, MPLBACKEND="module://matplotlib_inline.backend_inline",
                BABY_ROOM_MIN_CELL_COUNT=str(threshold), PYTHONHASHSEED="0")


def _kernel_manager_class(fork_server):
    """jupyter_client's kernel manager, starting the python3 kernel through ``fork_server``
    (a :class:`baby_room._fork_server.ForkServer`) when there is one."""
    from jupyter_client.manager import AsyncKernelManager

    if fork_server is None:
        return AsyncKernelManager

    class ForkedKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            if cmd[0] != sys.executable or cmd[1:3] != ["-m", "ipykernel_launcher"]:
                return cmd  # another interpreter's kernel: started as it says
            # the parent the kernel watches, as jupyter_client's JPY_PARENT_PID says, but
            # given on the command line: the forked kernel's defaults were read before it
            return fork_server.command("ipykernel_launcher", *cmd[3:],
                                       f"--IPKernelApp.parent_handle={os.getpid()}")

    return ForkedKernelManager


async def execute_notebook_async(path: Path, *, data_dir: Path, output_dir: Path,
                                 threshold: int, timeout: int = 600, cwd=None,
                                 fork_server=None):
    """Execute one notebook with parameters (a coroutine); return the executed notebook node.

    The kernel runs in ``cwd`` (default: the notebook's folder); ``DATA_DIR`` and
    ``OUTPUT_DIR`` are injected relative to it. With ``fork_server`` (see
    :mod:`baby_room._fork_server`) the kernel is forked from its warm interpreter instead
    of starting afresh. See :func:`execute_notebook`.
    """
    _nbformat()
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb, cwd = _prepare(path, data_dir=data_dir, output_dir=output_dir, cwd=cwd)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(cwd)}},
                            kernel_manager_class=_kernel_manager_class(fork_server))
    try:
        # the kernel's own stderr (e.g. ipykernel's transport notice) is not shown
        await client.async_execute(env=_kernel_env(threshold), stderr=subprocess.DEVNULL)
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        index, error = _failing_cell(nb)
        if isinstance(exc, CellTimeoutError):
            error = f"timed out after {timeout} s"
        elif isinstance(exc, DeadKernelError):
            error = "the kernel died"
        raise ReportError(f"notebook {path.name} failed in cell {index}: {error}") from None
    return nb


def execute_notebook(path: Path, *, data_dir: Path, output_dir: Path, threshold: int,
                     timeout: int = 600, cwd=None):
    """Execute one notebook with parameters; return the executed notebook node.

    Raises
    ------
    ReportError
        Naming the notebook, the cell (0-based index in the executed notebook, counting
        the injected parameter cell) and the error.

    Examples
    --------
    >>> import tempfile, nbformat
    >>> d = Path(tempfile.mkdtemp())
    >>> p = nbformat.v4.new_code_cell("DATA_DIR = None\\nOUTPUT_DIR = None")
    >>> p.metadata["tags"] = ["parameters"]
    >>> nb = nbformat.v4.new_notebook(cells=[p, nbformat.v4.new_code_cell("print(DATA_DIR)")])
    >>> nbformat.write(nb, d / "01-demo.ipynb")
    >>> done = execute_notebook(d / "01-demo.ipynb", data_dir=d / "data", output_dir=d / "out",
    ...                         threshold=5)
    >>> done.cells[2].outputs[0]["text"]
    'data\\n'
    >>> shutil.rmtree(d)
    """
    from jupyter_core.utils import run_sync  # works inside a running loop too (Jupyter)

    return run_sync(execute_notebook_async)(path, data_dir=data_dir, output_dir=output_dir,
                                            threshold=threshold, timeout=timeout, cwd=cwd)


def notebook_html(nb) -> str:
    """Render an executed notebook to standalone HTML (deterministic).

    Examples
    --------
    >>> import nbformat
    >>> html = notebook_html(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Hi")]))
    >>> html.startswith("<!DOCTYPE html>") and "Hi" in html
    True
    """
    html, _ = _html_exporter().from_notebook_node(nb)
    return html


def _warm_html_exporter() -> None:
    """Convert a one-cell notebook, so the exporter's imports, templates and code lexer
    are ready before the first real notebook ends (about 0.8 s of CPU, once per process)."""
    nbformat = _nbformat()
    notebook_html(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# -"),
                                                  nbformat.v4.new_code_cell("pass")]))


@functools.lru_cache(maxsize=1)
def _html_exporter():
    """One exporter per process: its templates are compiled once."""
    _nbformat()
    from baby_room._notebook_page import ClassicPage

    # nbconvert's classic page; see templates/nbconvert/baby_room/index.html.j2
    exporter = ClassicPage(template_name="baby_room", extra_template_basedirs=[
        str(Path(__file__).with_name("templates") / "nbconvert")])
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


# ---------------------------------------------------------------- the output folder


def _is_report(folder: Path) -> bool:
    """A folder made by build_report: it holds the marker (or, from before the marker, a
    manifest.json written by baby_room beside an index.html)."""
    if (folder / MARKER).is_file():
        return True
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(manifest, dict) and manifest.get("package") == "baby_room"
            and (folder / "index.html").is_file())


def check_out_dir(out, *, protect=()) -> Path:
    """Check that the report may be written to ``out``; return it as an absolute path.

    The report replaces its folder as a whole, so only a folder that does not exist yet,
    an empty folder, or a report made by :func:`build_report` (holding :data:`MARKER`) is
    accepted. A file, a link, any other folder, and any of the ``protect`` folders (the
    data, the notebooks, the cache, the working directory) or a folder holding one of them
    are refused, and nothing is touched.

    Raises
    ------
    ReportError
        Saying why the folder is refused.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> (d / "notes.txt").write_text("mine")
    4
    >>> check_out_dir(d)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    baby_room.errors.ReportError: refusing to write the report into ...: the folder holds files that baby_room did not make (notes.txt); give a new or empty folder, or a report folder made by baby-room report
    >>> check_out_dir(d / "reports") == d / "reports"
    True
    >>> shutil.rmtree(d)
    """
    given = Path(out)
    out = Path(os.path.abspath(given))
    why = None
    if given.is_symlink():
        why = "it is a symbolic link"
    elif out.exists() and not out.is_dir():
        why = "it is a file, not a folder"
    else:
        real = out.resolve()
        for label, folder in protect:
            folder = Path(folder).resolve()
            if real == folder:
                why = f"it is the {label} folder"
            elif real in folder.parents:
                why = f"it holds the {label} folder ({folder})"
            if why:
                break
        if why is None and out.is_dir() and not _is_report(out):
            try:
                names = sorted(p.name for p in out.iterdir())
            except OSError as exc:
                raise ReportError(f"cannot read the report folder {out}: "
                                  f"{exc.strerror or exc}") from None
            if names:
                shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
                why = (f"the folder holds files that baby_room did not make ({shown}); give a "
                       "new or empty folder, or a report folder made by baby-room report")
    if why:
        raise ReportError(f"refusing to write the report into {out}: {why}")
    return out


@contextlib.contextmanager
def _locked(path: Path, what: str, bar):
    """Hold an exclusive lock on ``path`` (a lock file) for the duration; wait for it."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            bar.note(f"waiting for another build using {what} ...")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_leftovers(out: Path, cache: Path) -> None:
    """Remove what a killed build left (called with both locks held, so nothing is live)."""
    for pattern in (f".{out.name}.building-*", f".{out.name}.old-*"):
        for path in out.parent.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
    shutil.rmtree(cache / ".work", ignore_errors=True)


# ---------------------------------------------------------------- the build


def input_hash(kind: str, path) -> str:
    """SHA-256 of an input as the notebooks read it: a survey export together with the
    mapping file that :func:`baby_room.load_survey` finds beside it, so that editing the
    mapping re-executes the survey notebooks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     export = pathlib.Path(d) / "export.csv"
    ...     _ = export.write_text("x\\n1\\n")
    ...     before = input_hash("survey", export)
    ...     _ = (pathlib.Path(d) / "export.mapping.toml").write_text("[columns]\\n")
    ...     before != input_hash("survey", export) == input_hash("survey", export)
    True
    """
    digest = sha256_file(path)
    if kind == "survey":
        from baby_room.mapping import find_mapping

        mapping = find_mapping(path)
        if mapping is not None:
            digest = hashlib.sha256(f"{digest}:{sha256_file(mapping)}".encode()).hexdigest()
    return digest


def _resolve_inputs(data_dir, cache_dir: Path, source: str):
    """The data folder, its files by kind, whether it is the bundled data, the absent kinds
    (the bundled data are written into ``cache_dir`` by package source ``source``)."""
    from baby_room.project import find_data_files

    if data_dir is None:
        folder = cache_dir / "bundled-synthetic-data"
        if not _bundled_data_current(cache_dir, source):
            from baby_room import synthetic

            shutil.rmtree(folder, ignore_errors=True)
            synthetic.write_all(folder)
            (folder / ".source").write_text(source)
        folder = folder.resolve()
        return folder, find_data_files(folder), True, []
    folder = Path(data_dir).resolve()
    files = find_data_files(folder, require=())
    return folder, files, False, [k for k in KINDS if k not in files]


def _bundled_data_current(cache_dir: Path, source: str) -> bool:
    """The cache holds the bundled data written by package source ``source``."""
    stamp = cache_dir / "bundled-synthetic-data" / ".source"
    return stamp.is_file() and stamp.read_text() == source


def _cache_key(nb_bytes: bytes, reads: list[str], input_hashes: dict, settings: dict) -> str:
    h = hashlib.sha256(nb_bytes)
    h.update(json.dumps({"reads": {k: input_hashes.get(k) for k in reads}, **settings},
                        sort_keys=True).encode())
    return h.hexdigest()[:32]


def _copy_tree(src: Path, dst: Path) -> None:
    for path in sorted(src.rglob("*")):
        if path.is_file():
            target = dst / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


@dataclass
class _Job:
    """One notebook of a build: where its cached outputs are, and where it runs."""

    path: Path
    reads: list
    entry: Path
    work: Path = None

    @property
    def out(self) -> Path:
        return self.work / "out"


def _plan(notebooks, *, cache: Path, input_hashes: dict, settings: dict, absent) -> list:
    jobs, skipped = [], []
    for path in notebooks:
        nb_bytes = path.read_bytes()
        try:
            reads = notebook_reads(json.loads(nb_bytes.decode("utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise ReportError(f"notebook {path.name} is not a valid notebook file ({exc})"
                              ) from None
        needs = set(reads) - set(OPTIONAL_KINDS)
        if needs & set(absent) and set(reads) != set(KINDS):
            skipped.append(path.name)
            continue
        key = _cache_key(nb_bytes, reads, input_hashes, settings)
        jobs.append(_Job(path, reads, cache / path.stem / key))
    return jobs, skipped


def _execute_jobs(jobs: list, *, folder: Path, cache: Path, threshold: int, timeout: int,
                  bar, fork_server=None, on_executed=None) -> None:
    """Execute notebooks side by side (up to two per core); cache each one's outputs.

    Two per core rather than one: a kernel waits part of its time (starting, reading
    files, exchanging messages), and on 2 cores the third of three notebooks would
    otherwise start only when one of the first two ends, leaving a core idle at the end.
    ``on_executed()`` is called once every notebook has executed, before the last ones
    are converted to HTML.
    """
    import asyncio

    workers = max(1, min(len(jobs), 2 * (os.cpu_count() or 1)))
    for job in jobs:
        job.work = cache / ".work" / job.path.stem
        shutil.rmtree(job.work, ignore_errors=True)
        job.out.mkdir(parents=True)
        (job.work / "data").symlink_to(folder, target_is_directory=True)

    from concurrent.futures import ThreadPoolExecutor

    async def run_all(converter):
        gate = asyncio.Semaphore(workers)
        executing = [len(jobs)]  # notebooks not yet executed

        async def run(job):
            async with gate:
                t0 = time.perf_counter()
                nb = await execute_notebook_async(
                    job.path, data_dir=job.work / "data", output_dir=job.out,
                    threshold=threshold, timeout=timeout, cwd=job.work,
                    fork_server=fork_server)
                bar.step(f"{job.path.stem}: executed in {time.perf_counter() - t0:.1f} s")
            executing[0] -= 1
            if not executing[0] and on_executed is not None:
                on_executed()
            # to HTML while the other notebooks still run (one conversion at a time)
            html = await asyncio.get_running_loop().run_in_executor(converter, notebook_html,
                                                                    nb)
            (job.out / "notebooks").mkdir(exist_ok=True)
            (job.out / "notebooks" / f"{job.path.stem}.html").write_text(html,
                                                                         encoding="utf-8")

        return await asyncio.gather(*(run(j) for j in jobs), return_exceptions=True)

    from jupyter_core.utils import run_sync  # works inside a running loop too (Jupyter)

    with ThreadPoolExecutor(max_workers=1) as converter:
        converter.submit(_warm_html_exporter)  # compiled while the kernels start
        results = run_sync(run_all)(converter)
    for result in results:  # the first failure, in notebook order
        if isinstance(result, BaseException):
            raise result
    for job in jobs:
        shutil.rmtree(job.entry.parent, ignore_errors=True)  # keep one entry per notebook
        job.entry.parent.mkdir(parents=True)
        job.out.rename(job.entry)
        shutil.rmtree(job.work, ignore_errors=True)


def _start_figure_files(jobs: list, to_run: list, *, cache: Path, page_job, folder: Path,
                        threshold: int, fork_server):
    """Start writing the report files that show the notebooks' figures
    (:func:`write_extra_outputs`) in a child forked from ``fork_server``, once every
    notebook has executed, so that they are written while the parent converts the last
    notebooks to HTML. Its folder holds the notebooks' figures as ``figures/`` (hard
    links, which outlive the renaming of the notebooks' output folders into the cache, or
    copies).

    Returns the child (a :class:`baby_room._page_worker.PageJob`), or None when the data
    step failed: :func:`_summary_page` then raises its error.
    """
    try:
        data = page_job.result()
    except Exception:  # noqa: BLE001 - raised again, where the page awaits the data step
        return None
    work = cache / ".work" / "_figure_files"
    shutil.rmtree(work, ignore_errors=True)
    (work / "figures").mkdir(parents=True)
    for job in jobs:
        figures = (job.out if job in to_run else job.entry) / "figures"
        for path in sorted(figures.iterdir()) if figures.is_dir() else []:
            try:
                os.link(path, work / "figures" / path.name)
            except OSError:  # a file system without hard links
                shutil.copyfile(path, work / "figures" / path.name)
    return _page_worker.PageJob(work, folder, threshold=threshold, fork_server=fork_server,
                                step="figures", page=data)


def _summary_page(staging: Path, *, cache: Path, key: str, page_job, bundled: bool,
                  folder: Path, threshold: int, commit: str, skipped,
                  figure_files=None) -> bool:
    """Write the front page, the Word report and their tables into ``staging``.

    From the cache when current (``page_job`` is then None); otherwise the data step
    (:mod:`baby_room._page_worker`, started before the notebooks) is awaited and the page
    and the Word report, which show the notebooks' figures, are written beside its files:
    the Word report (:func:`write_extra_outputs`) by ``figure_files`` when it was started
    (:func:`_start_figure_files`), else here. Returns True when the cached page was
    reused.
    """
    entry = cache / "_summary" / key
    if page_job is None:
        _copy_tree(entry, staging)
        return True
    from baby_room.project import load_project
    from baby_room.report_page import write_summary_page

    data = page_job.result()
    _warn_set_aside(data)
    work = page_job.work
    copied = []
    for sub in ("figures", "tables", "notebooks"):  # what the page links to
        for path in sorted((staging / sub).glob("*")) if (staging / sub).is_dir() else []:
            target = work / sub / path.name
            if target.exists():
                raise ReportError(f"a notebook wrote {sub}/{path.name}, a name the front "
                                  "page uses for its own file; rename the notebook's output")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            copied.append(target)
    project = load_project(folder)
    label = "the bundled synthetic data" if bundled else f"data in {folder.name}/"
    if figure_files is None:
        write_extra_outputs(work, project, threshold=threshold, data=data)
    else:
        for name in figure_files.result():  # the files it wrote
            path, target = figure_files.work / name, work / name
            if target.exists():
                raise ReportError(f"{target.relative_to(work).as_posix()} was written twice, "
                                  "by the notebooks or the page and by write_extra_outputs")
            target.parent.mkdir(parents=True, exist_ok=True)
            path.rename(target)
    write_summary_page(work, project, data_label=label, threshold=threshold,
                       commit=commit, skipped=skipped, data=data)
    for path in copied:  # keep only what the page step wrote
        path.unlink()
    shutil.rmtree(entry.parent, ignore_errors=True)
    entry.parent.mkdir(parents=True)
    work.rename(entry)
    _copy_tree(entry, staging)
    return False


def _warn_set_aside(data: dict) -> None:
    """Say what validation set aside (the page step loaded the data, not this process)."""
    n_rows, n_cells = data.get("n_aside", 0), data.get("n_cells", 0)
    if n_rows or n_cells:
        from baby_room.errors import RowsSetAsideWarning

        warnings.warn(f"validation set aside {n_rows} row(s) and {n_cells} cell(s); each is "
                      "listed with its reason in tables/rows-set-aside.csv and "
                      "tables/cells-set-aside.csv, and counted on the front page",
                      RowsSetAsideWarning, stacklevel=2)


def build_report(data_dir=None, out_dir="reports", *, notebooks_dir=None, cache_dir=None,
                 force: bool = False, threshold: int = 5, timeout: int = 600,
                 progress: bool | None = None) -> ReportResult:
    """Build the report: execute the notebooks and collect figures, tables, findings, manifest.

    Parameters
    ----------
    data_dir : str or os.PathLike, optional
        Folder with any of ``survey.*``, ``coding.*``, ``codebook.*``, ``evidence.*`` (at
        least one; the absent ones are named on the page); None: the bundled synthetic data.
    out_dir : str or os.PathLike, default "reports"
        The report folder: new, empty, or a report made by this function (it is replaced
        at the end of a successful build; see :func:`check_out_dir`).
    notebooks_dir : str or os.PathLike, optional
        Where the notebooks are; default ``./notebooks``.
    cache_dir : str or os.PathLike, optional
        Where executed notebooks are cached; default ``.report-cache`` beside ``out_dir``.
    force : bool, default False
        Execute every notebook even when its cached outputs are current.
    threshold : int, default 5
        Disclosure control: counts below it are suppressed in published tables.
    timeout : int, default 600
        Seconds a notebook cell may run.
    progress : bool, optional
        Show progress (a bar on a terminal, plain lines otherwise); False: silent.

    Returns
    -------
    ReportResult

    Raises
    ------
    ReportError
        The output folder is refused, a notebook failed (naming notebook, cell and error),
        there are no notebooks, or a file cannot be read or written (naming it); the
        previous report is left intact.
    baby_room.FileFormatError
        The data folder or one of its files cannot be read.

    Examples
    --------
    >>> import tempfile, nbformat
    >>> d = Path(tempfile.mkdtemp())
    >>> cells = [nbformat.v4.new_code_cell("DATA_DIR = None\\nOUTPUT_DIR = None"),
    ...          nbformat.v4.new_code_cell("import baby_room as br\\n"
    ...                                    "n = len(br.load_project(DATA_DIR).survey)")]
    >>> cells[0].metadata["tags"] = ["parameters"]
    >>> (d / "notebooks").mkdir()
    >>> nbformat.write(nbformat.v4.new_notebook(cells=cells), d / "notebooks" / "01-demo.ipynb")
    >>> result = build_report(out_dir=d / "reports", notebooks_dir=d / "notebooks",
    ...                       progress=False)
    >>> result.executed, (d / "reports" / "index.html").exists()
    (['01-demo.ipynb'], True)
    >>> build_report(out_dir=d / "reports", notebooks_dir=d / "notebooks",
    ...              progress=False).reused
    ['01-demo.ipynb']
    >>> shutil.rmtree(d)
    """
    start = time.perf_counter()
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        raise ReportError(f"threshold must be a whole number of at least 1; got {threshold!r}")
    notebooks_dir = Path(notebooks_dir or "notebooks").resolve()
    out = Path(os.path.abspath(out_dir))
    cache = Path(cache_dir).resolve() if cache_dir else out.parent / ".report-cache"
    protect = [("notebooks", notebooks_dir), ("cache", cache), ("working", Path.cwd())]
    if data_dir is not None:
        protect.insert(0, ("data", Path(data_dir)))
    out = check_out_dir(out, protect=protect)
    try:
        notebooks = sorted(notebooks_dir.glob("[0-9][0-9]-*.ipynb"))
    except OSError as exc:
        raise ReportError(f"cannot read the notebooks folder {notebooks_dir}: "
                          f"{exc.strerror or exc}") from None
    if not notebooks:
        raise ReportError(f"no notebooks named NN-*.ipynb in {notebooks_dir}")
    bar = _Progress(len(notebooks) + 2, progress)
    try:
        with _locked(out.parent / f".{out.name}.lock", f"the report folder {out}", bar), \
                _locked(cache / ".lock", f"the cache {cache}", bar):
            check_out_dir(out, protect=protect)  # again: another build may have run meanwhile
            _remove_leftovers(out, cache)
            result = _build(out, cache, data_dir=data_dir, notebooks=notebooks, force=force,
                            threshold=threshold, timeout=timeout, bar=bar)
    except OSError as exc:
        name = exc.filename or "a file"
        raise ReportError(f"cannot build the report: {name}: {exc.strerror or exc}") from None
    finally:
        bar.close()
    result.files = sorted(p for p in out.rglob("*") if p.is_file())
    result.seconds = time.perf_counter() - start
    return result


def _build(out: Path, cache: Path, *, data_dir, notebooks, force, threshold, timeout, bar):
    source = package_source_hash()
    if force or (data_dir is None and not _bundled_data_current(cache, source)):
        # every notebook will run (forced, or the package changed): the fork server starts
        # importing now, while the inputs are resolved; the call below finds it running
        _fork_server_for(threshold, notebooks, source=source)
    folder, files, bundled, absent = _resolve_inputs(data_dir, cache, source)
    input_hashes = {kind: input_hash(kind, p) for kind, p in files.items()}
    settings = {"package": __version__, "source": source,
                "versions": dependency_versions(), "threshold": threshold,
                "python": sys.version.split()[0]}
    jobs, skipped = _plan(notebooks, cache=cache, input_hashes=input_hashes,
                          settings=settings, absent=absent)
    result = ReportResult(out_dir=out, skipped=skipped, absent=absent)
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    page_job = None
    figure_files = []  # the Word report's child, started once every notebook has executed
    try:
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        to_run = [j for j in jobs if force or not j.entry.is_dir()]
        git = git_state()
        commit = (git["commit"] or "unknown")[:12] + (" (uncommitted changes)"
                                                      if git["dirty"] else "")
        page_key = hashlib.sha256(json.dumps(
            {"inputs": input_hashes, "settings": settings, "commit": commit,
             "bundled": bundled, "folder": folder.name, "skipped": skipped,
             "notebooks": [j.entry.name for j in jobs]}, sort_keys=True).encode()
        ).hexdigest()[:32]
        page_current = not force and (cache / "_summary" / page_key).is_dir()
        # one warm interpreter to fork the kernels and the page's data step from
        fork_server = (_fork_server_for(threshold, [j.path for j in to_run],
                                        source=settings["source"])
                       if to_run or not page_current else None)
        if not page_current:
            data_key = hashlib.sha256(json.dumps(
                {"inputs": input_hashes, "settings": settings, "bundled": bundled},
                sort_keys=True).encode()).hexdigest()[:32]
            shutil.rmtree(cache / ".work" / "_summary", ignore_errors=True)
            page_job = _page_worker.start(cache / ".work" / "_summary", folder,
                                          threshold=threshold, force=force,
                                          cache_entry=cache / "_page_data" / data_key,
                                          fork_server=fork_server)
        for job in jobs:
            if job not in to_run:
                bar.step(f"{job.path.stem}: unchanged, reused")

        def start_figure_files():
            figure_files.append(_start_figure_files(
                jobs, to_run, cache=cache, page_job=page_job, folder=folder,
                threshold=threshold, fork_server=fork_server))

        if to_run:
            _execute_jobs(to_run, folder=folder, cache=cache, threshold=threshold,
                          timeout=timeout, bar=bar, fork_server=fork_server,
                          on_executed=start_figure_files if page_job is not None
                          and fork_server is not None else None)
        for job in jobs:
            (result.executed if job in to_run else result.reused).append(job.path.name)
            _copy_tree(job.entry, staging)
        _summary_page(staging, cache=cache, key=page_key, page_job=page_job, bundled=bundled,
                      folder=folder, threshold=threshold, commit=commit, skipped=skipped,
                      figure_files=figure_files[0] if figure_files else None)
        bar.step("findings page and data-quality tables")
        _write_manifest(staging, files=files, bundled=bundled, settings=settings, git=git,
                        notebooks=notebooks, input_hashes=input_hashes, absent=absent,
                        skipped=skipped)
        bar.step("manifest")
        _swap(staging, out)
    finally:
        for job in (page_job, *figure_files):
            if job is not None:
                job.stop()
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(cache / ".work", ignore_errors=True)
    return result


def _write_manifest(staging: Path, *, files, bundled, settings, git, notebooks, input_hashes,
                    absent, skipped):
    outputs = [
        {"path": p.relative_to(staging).as_posix(), "sha256": sha256_file(p)}
        for p in sorted(staging.rglob("*")) if p.is_file()
    ]
    manifest = {
        "package": "baby_room",
        "version": __version__,
        "git": git,
        "python": settings["python"],
        "dependencies": settings["versions"],
        "data": "bundled synthetic data" if bundled else "user data folder",
        "synthetic": bundled,
        "random_seed": _synthetic_seed() if bundled else None,
        "disclosure_threshold": settings["threshold"],
        "inputs": [
            {"dataset": kind, "file": path.name, "sha256": input_hashes[kind],
             "bytes": path.stat().st_size}
            for kind, path in files.items()
        ],
        "absent": list(absent),
        "notebooks": [p.name for p in notebooks],
        "notebooks_not_run": list(skipped),
        "outputs": outputs,
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n",
                                           encoding="utf-8")


def _synthetic_seed() -> int:
    from baby_room import synthetic

    return synthetic.SEED


def _swap(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging`` with two renames (the old report survives a failure)."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    try:
        staging.rename(out)
    except OSError:
        if old.exists():
            old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
