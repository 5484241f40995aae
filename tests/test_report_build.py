"""The full report build on the project's own notebooks and the bundled data.

Checks the outputs the report promises and scans every output file for the bundled data's
identifiers, speaker names and free text. The build is the session's one build
(``report_build`` in conftest.py); byte-identical rebuilds, wherever the report folder is,
are checked on small notebooks in test_report.py.
"""

import hashlib
import json
import re
import zipfile
from pathlib import Path

import pytest

import baby_room as br
from baby_room.report import MARKER

# one xdist worker runs every test of this group (make test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("report_build")

REPO = Path(__file__).resolve().parents[1]


def _digests(result):
    return {str(p.relative_to(result.out_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in result.files}


def test_outputs_promised(report_build):
    result = report_build
    out = result.out_dir
    names = {str(p.relative_to(out)) for p in result.files}
    assert {"index.html", "manifest.json", "tables/rows-set-aside.csv",
            "tables/cells-set-aside.csv", MARKER} <= names
    notebooks = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert sorted(p.stem for p in (out / "notebooks").glob("*.html")) == notebooks
    pngs = sorted(p.stem for p in (out / "figures").glob("*.png"))
    assert pngs and pngs == sorted(p.stem for p in (out / "figures").glob("*.svg"))
    csvs = sorted(p.stem for p in (out / "tables").glob("*.csv"))
    assert csvs == sorted(p.stem for p in (out / "tables").glob("*.xlsx"))
    assert any(n.startswith("survey-") for n in pngs)
    assert any(n.startswith("evidence-") for n in pngs)
    assert any(n.startswith("fg-") for n in pngs)


def test_png_at_200_dpi(report_build):
    from PIL import Image

    for png in (report_build.out_dir / "figures").glob("*.png"):
        dpi = Image.open(png).info.get("dpi")
        assert dpi and round(dpi[0]) == 200, png.name


def test_every_page_and_figure_says_synthetic(report_build):
    out = report_build.out_dir
    assert "SYNTHETIC DATA" in (out / "index.html").read_text()
    for svg in (out / "figures").glob("*.svg"):
        assert "SYNTHETIC DATA" in svg.read_text(), svg.name
    for page in (out / "notebooks").glob("*.html"):
        assert "synthetic" in page.read_text().lower(), page.name


def test_findings_carry_numbers_from_the_data(report_build):
    text = (report_build.out_dir / "index.html").read_text()
    rooms = br.survey.rooms(br.synthetic.survey())
    # computed here independently of the findings module
    assert f"caring for {int(rooms['group_size'].sum()):,} babies" in text
    share_over_12 = (rooms["group_size"] > 12).mean()
    assert f"{100 * share_over_12:.0f}% of rooms had more than 12 babies" in text
    assert "only 12 (6.5%) came from the UK" in text


def test_manifest_hashes_inputs_and_outputs(report_build):
    result = report_build
    manifest = json.loads((result.out_dir / "manifest.json").read_text())
    for entry in manifest["inputs"]:
        committed = REPO / "data" / "synthetic" / entry["file"]
        assert entry["sha256"] == hashlib.sha256(committed.read_bytes()).hexdigest()
    digests = _digests(result)
    for entry in manifest["outputs"]:
        assert digests[entry["path"]] == entry["sha256"]
    assert manifest["random_seed"] == br.synthetic.SEED and manifest["synthetic"] is True


def test_pages_do_not_show_where_the_report_was_built(report_build, pages):
    base = str(report_build.out_dir.parent.parent)
    for page in (report_build.out_dir / "notebooks").glob("*.html"):
        text = " ".join(pages.text(page.read_text()).split())
        assert base not in text and str(REPO) not in text, page.name
        assert "DATA_DIR = 'data' OUTPUT_DIR = 'out'" in text, page.name


def _texts(out: Path):
    for path in sorted(out.rglob("*")):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                yield path, "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        elif path.suffix == ".docx":  # the Word report: its XML parts (not the images)
            with zipfile.ZipFile(path) as z:
                yield path, "\n".join(z.read(n).decode("utf-8") for n in z.namelist()
                                      if n.endswith((".xml", ".rels")))
        elif path.suffix in {".html", ".csv", ".json", ".svg"}:
            yield path, path.read_text(encoding="utf-8")


class _Occurrences:
    """Whether any of many strings occurs in a text (``whole_words``: with the regular
    expression ``\\b`` on both sides), in one pass over the text instead of one per string:
    an occurrence of a string of length >= 2k - 1 covers a whole k-character chunk of the
    text that starts at a multiple of k, so only those chunks are looked up among the
    strings' k-grams, and each hit is compared in full."""

    def __init__(self, strings, *, whole_words=False):
        strings = sorted(set(strings))
        self.whole_words = whole_words
        self.k = max(1, (min(map(len, strings), default=1) + 1) // 2)
        self.grams: dict[str, list[tuple[str, int]]] = {}
        for s in strings:
            for offset in range(len(s) - self.k + 1):
                self.grams.setdefault(s[offset:offset + self.k], []).append((s, offset))

    @staticmethod
    def _boundary(text: str, i: int) -> bool:
        def word(j):  # the regular expression module's \w: alphanumeric or underscore
            return 0 <= j < len(text) and (text[j].isalnum() or text[j] == "_")

        return word(i - 1) != word(i)

    def first_in(self, text: str) -> str | None:
        k = self.k
        for start in range(0, len(text) - k + 1, k):
            for s, offset in self.grams.get(text[start:start + k], ()):
                at = start - offset
                if at >= 0 and text.startswith(s, at) and (not self.whole_words or (
                        self._boundary(text, at) and self._boundary(text, at + len(s)))):
                    return s
        return None


def find_leaks(out: Path) -> list[tuple[str, str, str]]:
    """Identifiers, speaker names and free text of the bundled data found in any output file."""
    survey, coding = br.synthetic.survey(), br.synthetic.coding()
    ids = (set(survey["respondent_id"]) | set(survey["setting_id"])
           | set(coding["segment_id"]))
    names = set(coding["speaker"].dropna())
    free_text = _Occurrences(set(survey["comments"].dropna()) | set(coding["text"].dropna()))
    name_re = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b")
    ids = _Occurrences(ids, whole_words=True)  # as name_re, for 2,000 strings
    leaks = []
    for path, text in _texts(out):
        if found := ids.first_in(text):
            leaks.append((path.name, "identifier", found))
        if m := name_re.search(text):
            leaks.append((path.name, "speaker name", m.group()))
        if fragment := free_text.first_in(text):
            leaks.append((path.name, "free text", fragment[:40]))
    return leaks


def test_no_identifiers_names_or_free_text_in_any_output(report_build):
    assert find_leaks(report_build.out_dir) == []


def test_the_scan_finds_planted_leaks(tmp_path):
    survey, coding = br.synthetic.survey(), br.synthetic.coding()
    (tmp_path / "a.csv").write_text(f"x\n{survey['respondent_id'].iloc[5]}\n")
    (tmp_path / "b.html").write_text(f"<p>{coding['speaker'].iloc[0]} said</p>")
    comment = survey["comments"].dropna().iloc[0]
    import pandas as pd

    pd.DataFrame({"c": [comment]}).to_excel(tmp_path / "c.xlsx", index=False)
    import docx

    document = docx.Document()
    document.add_paragraph(f"Setting {survey['setting_id'].iloc[0]} said so")
    document.save(tmp_path / "d.docx")
    found = sorted((name, kind) for name, kind, _ in find_leaks(tmp_path))
    assert found == [("a.csv", "identifier"), ("b.html", "speaker name"),
                     ("c.xlsx", "free text"), ("d.docx", "identifier")]


@pytest.mark.parametrize("text", [
    "BRI-1-S001", "x BRI-1-S001.", "xBRI-1-S001", "BRI-1-S001_", "BRI-1-S0012", "-BRI-1-S001-",
    "ab BRI-1-S00 BRI-1-S001", "BRI-1-BRI-1-S001", "", "BRI", "é BRI-1-S001é", "S001 S002",
    "In the baby room the staff talk", "the baby room the staff talk ok"])
def test_the_one_pass_search_finds_what_the_regular_expression_finds(text):
    # reference: the re module (\b...\b) and the in operator, one string at a time
    ids = ["BRI-1-S001", "BRI-1-S002", "RI-1-S00", "S001"]
    found = _Occurrences(ids, whole_words=True).first_in(text)
    assert (found is not None) == any(re.search(rf"\b{re.escape(i)}\b", text) for i in ids)
    assert found is None or re.search(rf"\b{re.escape(found)}\b", text)
    phrases = ["the staff talk", "baby room the"]
    found = _Occurrences(phrases).first_in(text)
    assert (found is not None) == any(p in text for p in phrases)
    assert found is None or found in text
