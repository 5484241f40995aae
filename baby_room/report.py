"""The one-command reproducible report: executed notebooks, figures, tables, findings, manifest.

``build_report`` (and ``baby-room report``, called by ``make report``):

1. resolves the inputs (the bundled synthetic data, written out byte-identically, or a
   folder of real data) and hashes them;
2. executes every ``notebooks/NN-*.ipynb`` with a real Jupyter kernel (nbclient),
   injecting ``DATA_DIR`` and ``OUTPUT_DIR`` after the cell tagged ``parameters``;
   each notebook writes its figures (PNG 200 dpi + SVG) and tables (CSV + Excel)
   through :class:`baby_room.Outputs`, which applies disclosure control;
3. caches each notebook's outputs under a content hash of the notebook, the inputs it
   reads (found from ``project.<kind>`` in its code, so notebooks pass tables, not the
   project, to functions; ``metadata.baby_room.reads`` declares them otherwise), the
   package source, the dependency versions and the settings — a rebuild with nothing
   changed executes nothing, and a changed input re-executes only the notebooks that
   read it;
4. writes the findings page ``index.html`` (sentences whose numbers are computed from
   the data), the data-quality tables, the rows set aside with their reasons, each
   executed notebook as HTML, and ``manifest.json`` (inputs and outputs with SHA-256,
   versions, git commit, seed);
5. builds everything in a temporary folder and swaps it in at the end, so a failing
   notebook leaves the previous report intact; the error names the notebook, the cell
   and the error.

Builds are deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from baby_room._version import __version__
from baby_room.errors import BabyRoomError

#: Packages whose versions the manifest records and the cache key includes.
MAIN_DEPENDENCIES = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn",
                     "openpyxl", "pyarrow", "pyreadstat", "pycountry", "nbclient", "nbconvert",
                     "ipykernel", "jinja2")
KINDS = ("survey", "coding", "codebook", "evidence")
_READS = re.compile(r"\bproject\.(survey|coding|codebook|evidence|set_aside|tables)\b")


class ReportError(BabyRoomError):
    """The report could not be built (the previous report is left as it was).

    Examples
    --------
    >>> str(ReportError("notebook 01-x.ipynb failed in cell 3: ValueError: bad"))
    'notebook 01-x.ipynb failed in cell 3: ValueError: bad'
    """


@dataclass
class ReportResult:
    """What a build did.

    Attributes
    ----------
    out_dir : pathlib.Path
        The report folder.
    executed, reused : list of str
        Notebooks executed in this build, and those whose cached outputs were reused.
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
    files: list = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{len(self.files)} files; notebooks executed: {len(self.executed)}, "
                f"reused from cache: {len(self.reused)}; {self.seconds:.1f} s")


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
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_code_cell("rooms = br.survey.rooms(project.survey)")])
    >>> notebook_reads(nb)
    ['survey']
    """
    declared = nb.metadata.get("baby_room", {}).get("reads")
    if declared:
        return sorted(set(declared))
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    found = set(_READS.findall(code))
    if found & {"set_aside", "tables"}:
        return list(KINDS)
    return sorted(found)


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
        if path.is_file() and path.suffix in {".py", ".csv", ".j2", ".html", ".css"}:
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


def _inject_parameters(nb, params: dict):
    import nbformat

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


def execute_notebook(path: Path, *, data_dir: Path, output_dir: Path, threshold: int,
                     timeout: int = 600):
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
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    nb.metadata["_name"] = path.name
    # paths relative to the notebook (its working directory): the same in every clone
    _inject_parameters(nb, {"DATA_DIR": os.path.relpath(data_dir, path.parent),
                            "OUTPUT_DIR": os.path.relpath(output_dir, path.parent)})
    del nb.metadata["_name"]
    env = dict(os.environ, MPLBACKEND="module://matplotlib_inline.backend_inline",
               BABY_ROOM_MIN_CELL_COUNT=str(threshold), PYTHONHASHSEED="0")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        # the kernel's own stderr (e.g. ipykernel's transport notice) is not shown
        client.execute(env=env, stderr=subprocess.DEVNULL)
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        index, error = _failing_cell(nb)
        if isinstance(exc, CellTimeoutError):
            error = f"timed out after {timeout} s"
        elif isinstance(exc, DeadKernelError):
            error = "the kernel died"
        raise ReportError(f"notebook {path.name} failed in cell {index}: {error}") from None
    return nb


def notebook_html(nb) -> str:
    """Render an executed notebook to standalone HTML (deterministic).

    Examples
    --------
    >>> import nbformat
    >>> html = notebook_html(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Hi")]))
    >>> html.startswith("<!DOCTYPE html>") and "Hi" in html
    True
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="classic")
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    html, _ = exporter.from_notebook_node(nb)
    return html


# ---------------------------------------------------------------- the build


def _resolve_inputs(data_dir, cache_dir: Path) -> tuple[Path, dict[str, Path], bool]:
    from baby_room import synthetic
    from baby_room.project import find_data_files

    if data_dir is None:
        folder = cache_dir / "bundled-synthetic-data"
        synthetic.write_all(folder)
        return folder.resolve(), find_data_files(folder), True
    folder = Path(data_dir).resolve()
    return folder, find_data_files(folder), False


def _cache_key(nb_bytes: bytes, reads: list[str], input_hashes: dict, settings: dict) -> str:
    h = hashlib.sha256(nb_bytes)
    h.update(json.dumps({"reads": {k: input_hashes[k] for k in reads}, **settings},
                        sort_keys=True).encode())
    return h.hexdigest()[:32]


def _copy_tree(src: Path, dst: Path) -> None:
    for path in sorted(src.rglob("*")):
        if path.is_file():
            target = dst / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def build_report(data_dir=None, out_dir="reports", *, notebooks_dir=None, cache_dir=None,
                 force: bool = False, threshold: int = 5, timeout: int = 600,
                 progress: bool | None = None) -> ReportResult:
    """Build the report: execute the notebooks and collect figures, tables, findings, manifest.

    Parameters
    ----------
    data_dir : str or os.PathLike, optional
        Folder with ``survey.*``, ``coding.*``, ``codebook.*``, ``evidence.*``; None:
        the bundled synthetic data.
    out_dir : str or os.PathLike, default "reports"
        The report folder (replaced atomically at the end of a successful build).
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
        A notebook failed (naming notebook, cell and error) or there are no notebooks;
        the previous report is left intact.
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
    import nbformat

    start = time.perf_counter()
    out = Path(out_dir).resolve()
    notebooks_dir = Path(notebooks_dir or "notebooks").resolve()
    cache = Path(cache_dir).resolve() if cache_dir else out.parent / ".report-cache"
    notebooks = sorted(notebooks_dir.glob("[0-9][0-9]-*.ipynb"))
    if not notebooks:
        raise ReportError(f"no notebooks named NN-*.ipynb in {notebooks_dir}")
    if not isinstance(threshold, int) or threshold < 1:
        raise ReportError(f"threshold must be a whole number of at least 1; got {threshold!r}")

    folder, files, bundled = _resolve_inputs(data_dir, cache)
    input_hashes = {kind: sha256_file(p) for kind, p in files.items()}
    settings = {"package": __version__, "source": package_source_hash(),
                "versions": dependency_versions(), "threshold": threshold,
                "python": sys.version.split()[0]}

    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    result = ReportResult(out_dir=out)
    bar = _Progress(len(notebooks) + 2, progress)
    try:
        for path in notebooks:
            nb_bytes = path.read_bytes()
            reads = notebook_reads(nbformat.reads(nb_bytes.decode("utf-8"), as_version=4))
            key = _cache_key(nb_bytes, reads, input_hashes, settings)
            entry = cache / path.stem / key
            if entry.is_dir() and not force:
                result.reused.append(path.name)
                bar.step(f"{path.stem}: unchanged, reused")
            else:
                t0 = time.perf_counter()
                work = cache / ".work" / path.stem  # a stable path: it is shown in the notebook
                shutil.rmtree(work, ignore_errors=True)
                work.mkdir(parents=True)
                nb = execute_notebook(path, data_dir=folder, output_dir=work,
                                      threshold=threshold, timeout=timeout)
                (work / "notebooks").mkdir(exist_ok=True)
                (work / "notebooks" / f"{path.stem}.html").write_text(notebook_html(nb),
                                                                      encoding="utf-8")
                shutil.rmtree(cache / path.stem, ignore_errors=True)  # keep one entry
                entry.parent.mkdir(parents=True, exist_ok=True)
                work.rename(entry)
                result.executed.append(path.name)
                bar.step(f"{path.stem}: executed in {time.perf_counter() - t0:.1f} s")
            _copy_tree(entry, staging)

        from baby_room.findings import write_findings_page

        write_findings_page(staging, data_dir=None if bundled else folder,
                            notebooks=notebooks, threshold=threshold)
        bar.step("findings page and data-quality tables")
        # issue 14: the Word report beside index.html (baby_room.word)
        from baby_room.word import write_report_docx

        write_report_docx(staging, data_dir=None if bundled else folder, threshold=threshold)
        _write_manifest(staging, files=files, bundled=bundled, settings=settings,
                        notebooks=notebooks, input_hashes=input_hashes)
        bar.step("manifest")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        bar.close()
        raise
    bar.close()
    _swap(staging, out)
    result.files = sorted(p for p in out.rglob("*") if p.is_file())
    result.seconds = time.perf_counter() - start
    return result


def _write_manifest(staging: Path, *, files, bundled, settings, notebooks, input_hashes):
    from baby_room import synthetic

    outputs = [
        {"path": str(p.relative_to(staging)), "sha256": sha256_file(p)}
        for p in sorted(staging.rglob("*")) if p.is_file()
    ]
    manifest = {
        "package": "baby_room",
        "version": __version__,
        "git": git_state(),
        "python": settings["python"],
        "dependencies": settings["versions"],
        "data": "bundled synthetic data" if bundled else "user data folder",
        "synthetic": bundled,
        "random_seed": synthetic.SEED if bundled else None,
        "disclosure_threshold": settings["threshold"],
        "inputs": [
            {"dataset": kind, "file": path.name, "sha256": input_hashes[kind],
             "bytes": path.stat().st_size}
            for kind, path in files.items()
        ],
        "notebooks": [p.name for p in notebooks],
        "outputs": outputs,
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n",
                                           encoding="utf-8")


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
