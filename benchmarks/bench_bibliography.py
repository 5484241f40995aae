"""Benchmarks: reading bibliographic exports.

1. ``read_ris`` on 100,000 RIS records (15 tags each, an abstract spanning two lines,
   Ovid-style numbers between records). Target: under 3 s. Baseline in the same run:
   ``rispy.loads`` on the same text (the parser this package used before; it only splits
   the text into per-record dicts, it does not build columns or normalise DOIs and
   years). Timed twice: best of 3 in this process, and best of 3 first calls each in a
   fresh process (what a user's script pays: memory the process touches for the first
   time costs far more than memory it reuses). Peak memory is the peak resident set
   (VmHWM) of those fresh processes (import included), so it counts pyarrow's buffers,
   which tracemalloc does not see; the rispy peak is printed too.
2. ``read_bibtex`` on 1,000 Zotero/Scopus-like entries (LaTeX accents in a fifth of the
   author lists, unescaped ``%`` in abstracts). Target: within 2x of the baseline,
   ``bibtexparser.parse_string`` alone on the same text (issue 12).
3. ``read_bibliography`` on the same RIS text (detection included) against ``read_ris``.

Run: ``.venv/bin/python benchmarks/bench_bibliography.py``
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from _common import best_of, print_table, row  # noqa: E402

from baby_room.evidence.bibliography import read_bibliography  # noqa: E402
from baby_room.evidence.bibtex import read_bibtex  # noqa: E402
from baby_room.evidence.ris import read_ris  # noqa: E402

N_RIS = 100_000
N_BIB = 1_000
TARGET_RIS = 3.0


def ris_text(n: int = N_RIS) -> str:
    parts = []
    for k in range(n):
        parts.append(
            f"{k + 1}.\nTY  - JOUR\nTI  - Group size and quality of care in baby rooms {k}\n"
            f"AU  - Smith, John\nAU  - Müller, Anna\nAU  - Osei, Ama\nPY  - {1990 + k % 35}\n"
            f"T2  - Early Childhood Research Quarterly\nVL  - {k % 60}\nIS  - {k % 4}\n"
            f"SP  - {k % 500}\nEP  - {k % 500 + 12}\nDO  - 10.1016/j.ecresq.{k}\n"
            f"AB  - We observed {k} rooms and measured interaction quality.\n"
            f"      Larger groups had lower scores.\nKW  - group size\nKW  - infants\n"
            f"AD  - University of Leeds, Leeds, England\nDB  - Embase\nER  - \n\n")
    return "".join(parts)


def bib_text(n: int = N_BIB) -> str:
    parts = []
    for k in range(n):
        author = "M{\\\"u}ller, Anna and Smith, John" if k % 5 == 0 else \
            "Mueller, Anna and Smith, John and Osei, Ama"
        parts.append(
            f"@article{{k{k},\n  author = {{{author}}},\n"
            f"  title = {{{{Group}} size and quality of care in baby rooms {k}}},\n"
            f"  journal = {{Early Childhood Research Quarterly}},\n  year = {{2019}},\n"
            f"  volume = {{47}},\n  number = {{2}},\n  pages = {{101--115}},\n"
            f"  doi = {{10.1016/j.ecresq.{k}}},\n"
            f"  abstract = {{Responsive care in 85.58% of interactions in room {k}.}},\n"
            f"  keywords = {{group size, ITERS-R}}\n}}\n\n")
    return "".join(parts)


def _fresh(code: str, path: Path) -> tuple[float, float]:
    """Seconds and peak resident memory (MB of 1e6 bytes) of ``code`` run on ``path`` by a
    fresh Python (imports done before the clock starts)."""
    code = (f"import sys, time, warnings; sys.path.insert(0, {str(HERE.parent)!r}); "
            f"warnings.simplefilter('ignore'); path = {str(path)!r}; {code}; "
            "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM')); "
            "print(seconds, hwm.split()[1])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    seconds, kib = out.stdout.split()[-2:]
    return float(seconds), int(kib) * 1024 / 1e6  # VmHWM is in KiB


_OURS = ("from baby_room.evidence.ris import read_ris; t = time.perf_counter(); "
         "read_ris(path); seconds = time.perf_counter() - t")
_RISPY = ("import rispy; t = time.perf_counter(); "
          "rispy.loads(open(path, encoding='utf-8').read(), skip_unknown_tags=True); "
          "seconds = time.perf_counter() - t")


def _quiet(func, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args)


def run() -> list[dict]:
    import bibtexparser
    import rispy

    rows = []
    with tempfile.TemporaryDirectory() as d:
        ris = Path(d, "big.ris")
        text = ris_text()
        ris.write_text(text, encoding="utf-8")
        ours = best_of(lambda: _quiet(read_ris, ris), repeat=3)
        base = best_of(lambda: rispy.loads(text, skip_unknown_tags=True), repeat=3)
        cold = [_fresh(_OURS, ris) for _ in range(3)]
        cold_base = [_fresh(_RISPY, ris) for _ in range(3)]
        peak, rispy_peak = max(p for _, p in cold), max(p for _, p in cold_base)
        print(f"bench_bibliography: peak resident memory, read_ris {peak:.0f} MB, "
              f"rispy.loads {rispy_peak:.0f} MB", file=sys.stderr)
        rows.append(row(f"read_ris, {N_RIS:,} records", ours, "rispy.loads", base,
                        target=TARGET_RIS, peak=peak))
        rows.append(row(f"read_ris, {N_RIS:,} records, first call in a fresh process",
                        min(t for t, _ in cold), "rispy.loads, same",
                        min(t for t, _ in cold_base), target=TARGET_RIS))
        detect = best_of(lambda: _quiet(read_bibliography, ris), repeat=3)
        rows.append(row(f"read_bibliography, {N_RIS:,} RIS records", detect, "read_ris", ours))
        bib = Path(d, "refs.bib")
        btext = bib_text()
        bib.write_text(btext, encoding="utf-8")
        ours_b = best_of(lambda: _quiet(read_bibtex, bib), repeat=3)
        base_b = best_of(lambda: bibtexparser.parse_string(btext), repeat=3)
        rows.append(row(f"read_bibtex, {N_BIB:,} entries", ours_b,
                        "bibtexparser.parse_string", base_b, target="ratio <= 2"))
    return rows


if __name__ == "__main__":
    print_table(run())
