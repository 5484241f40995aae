"""The front page's data step (baby_room._page_worker): it runs in a child process while
the notebooks execute, reports its errors as the build's own, and is cached apart from the
page. Not in the report tests' xdist group: these need no executed notebooks."""

import pandas as pd
import pytest

import baby_room as br
from baby_room import _page_worker
from baby_room.errors import ReportError
from baby_room.synthetic import write_all


def test_page_worker_error_reaches_the_build_as_the_same_error(tmp_path):
    """The front page's data step runs in a child process (baby_room._page_worker); a data
    error there is raised in the build as the very error load_project gives in-process."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "survey.csv").write_bytes(b"\x00\x01 not a survey")
    with pytest.raises(br.FileFormatError) as in_process:
        _ = br.load_project(data).survey
    job = _page_worker.PageJob(tmp_path / "work", data, threshold=5)
    with pytest.raises(br.FileFormatError) as from_child:
        job.result()
    assert str(from_child.value) == str(in_process.value)
    assert "NUL bytes" in str(from_child.value)


def test_errors_pickle_whatever_their_constructor():
    import pickle

    exc = br.ArgumentError("f", "x", "a number", "two")
    back = pickle.loads(pickle.dumps(exc))
    assert (type(back), str(back), back.function, back.parameter) == (
        br.ArgumentError, str(exc), "f", "x")


def test_page_data_step_is_cached_apart_from_the_page(tmp_path):
    """The data step's files and result are stored under its cache entry; a second start
    with the same entry copies them instead of running the child; force runs it again."""
    data = _evidence_only(tmp_path / "data")
    entry = tmp_path / "cache" / "_page_data" / "key1"
    first = _page_worker.start(tmp_path / "w1", data, threshold=5, cache_entry=entry)
    assert isinstance(first, _page_worker.PageJob)
    data = first.result()
    again = _page_worker.start(tmp_path / "w2", data, threshold=5, cache_entry=entry)
    assert isinstance(again, _page_worker.CachedPageData)
    files = sorted(p.relative_to(tmp_path / "w1") for p in (tmp_path / "w1").rglob("*"))
    assert sorted(p.relative_to(tmp_path / "w2") for p in (tmp_path / "w2").rglob("*")) == files
    for rel in files:
        if (tmp_path / "w1" / rel).is_file():
            assert (tmp_path / "w1" / rel).read_bytes() == (tmp_path / "w2" / rel).read_bytes()
    assert (tmp_path / "w1" / "evidence-explorer.html").is_file()
    cached = again.result()
    pd.testing.assert_frame_equal(cached["findings"], data["findings"])
    assert cached["quality"] == data["quality"]
    forced = _page_worker.start(tmp_path / "w3", data, threshold=5, cache_entry=entry,
                                force=True)
    assert isinstance(forced, _page_worker.PageJob)
    forced.stop()


def _evidence_only(folder):
    """A data folder holding the bundled evidence review alone (the cheapest full step)."""
    write_all(folder)
    for path in folder.iterdir():
        if not path.name.startswith("evidence."):
            path.unlink()
    return folder


@pytest.fixture(scope="module")
def evidence_page(tmp_path_factory):
    """The bundled evidence review alone and its data step's result (computed in-process)."""
    root = tmp_path_factory.mktemp("evidence-page")
    data = _evidence_only(root / "data")
    return data, _page_worker.prepare(root / "page", data, threshold=5)


def test_figure_files_step_writes_in_a_child_what_the_build_writes_in_process(tmp_path,
                                                                              evidence_page):
    """The Word report is written by a child (PageJob(step="figures")) while the parent
    converts the last notebooks to HTML; it is byte for byte what write_extra_outputs
    writes in-process from the same figures and page data, and the child lists the files
    it wrote (the figures it was given are not among them)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from baby_room.project import load_project
    from baby_room.report import write_extra_outputs
    from baby_room.style import save_figure

    data, page = evidence_page
    for folder in ("child", "in-process"):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        save_figure(fig, tmp_path / folder / "figures" / "evidence-demo")
        plt.close(fig)
    job = _page_worker.PageJob(tmp_path / "child", data, threshold=5, step="figures",
                               page=page)
    assert job.result() == ["report.docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["child", "in-process"]  # no pickle left
    write_extra_outputs(tmp_path / "in-process", load_project(data), threshold=5, data=page)
    assert ((tmp_path / "child" / "report.docx").read_bytes()
            == (tmp_path / "in-process" / "report.docx").read_bytes())


def test_figure_files_step_failure_names_the_step_on_every_call(tmp_path, evidence_page):
    """A crash in the child (here python-docx refusing a figure that is not an image) is a
    ReportError naming the step and the child's last line of error output."""
    data, page = evidence_page
    (tmp_path / "child" / "figures").mkdir(parents=True)
    (tmp_path / "child" / "figures" / "evidence-broken.png").write_bytes(b"not a png")
    job = _page_worker.PageJob(tmp_path / "child", data, threshold=5, step="figures",
                               page=page)
    for _ in range(2):  # the build may ask twice (when it started the step, and at the end)
        with pytest.raises(ReportError, match="writing the report files that show the "
                                              "notebooks' figures failed: .*Unrecognized"):
            job.result()
