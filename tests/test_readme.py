"""The README's "What is where" matches the tree (issue 13).

The map is the code block under ``## What is where``. An entry line starts at column 0
(a top-level folder) or 2 (a module or folder of ``baby_room/``); its names run up to the
first two spaces (several names are separated by ", "), the rest is its description, and
deeper-indented lines continue the description. The independent reference is the file
system itself:

- every top-level folder of the repository (hidden folders and git-ignored ones aside) is
  named, and every named one exists unless the map says it is git-ignored;
- every module and folder directly in ``baby_room/`` is named, and nothing named is absent;
- every module of a subpackage (``survey/``, ``evidence/`` ...) is named as ``name.py`` (or
  by a pattern such as ``_refi_*.py``) in its description, and every ``.py`` named there
  exists;
- a path named in a description (``tests/reference/``, ``templates/findings.html.j2``)
  exists.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "baby_room"


def _map_lines() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## What is where\n" in text, "README.md has no '## What is where' section"
    section = text.split("\n## What is where\n", 1)[1]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block, "the 'What is where' section has no code block"
    return block.group(1).splitlines()


def _entries() -> list[dict]:
    """Entries of the map: indent (0 or 2), names, description (continuations joined)."""
    entries: list[dict] = []
    for line in _map_lines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent > 2:
            assert entries, f"a continuation line before any entry: {line!r}"
            entries[-1]["description"] += " " + line.strip()
            continue
        names, _, description = line[indent:].partition("  ")
        entries.append({"indent": indent, "description": description.strip(),
                        "names": [n.strip() for n in names.split(", ") if n.strip()]})
    return entries


def _ignored_names() -> list[str]:
    """Top-level patterns of .gitignore that name a file or folder (``reports/``, ``*.egg-info/``)."""
    path = ROOT / ".gitignore"
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")) and "/" not in line.rstrip("/"):
            out.append(line.rstrip("/"))
    return out


def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in _ignored_names())


def _top_level() -> list[dict]:
    return [e for e in _entries() if e["indent"] == 0]


def _package_entries() -> list[dict]:
    entries, inside = [], False
    for e in _entries():
        if e["indent"] == 0:
            inside = e["names"] == ["baby_room/"]
        elif inside:
            entries.append(e)
    return entries


def test_every_top_level_folder_is_on_the_map_and_every_one_named_exists():
    tree = {p.name for p in ROOT.iterdir()
            if p.is_dir() and not p.name.startswith((".", "__")) and not _ignored(p.name)}
    named = {n.split("/")[0] for e in _top_level() for n in e["names"]}
    assert not tree - named, f"top-level folders missing from README 'What is where': {sorted(tree - named)}"
    absent = [n for e in _top_level() for n in e["names"]
              if not (ROOT / n).exists() and "git-ignored" not in e["description"]]
    assert not absent, f"README 'What is where' names folders that do not exist: {absent}"


def test_every_module_and_folder_of_the_package_is_on_the_map():
    tree = {p.name + ("/" if p.is_dir() else "") for p in PACKAGE.iterdir()
            if (p.is_file() and p.suffix == ".py" and p.name != "__init__.py")
            or (p.is_dir() and p.name != "__pycache__")}
    named = {n for e in _package_entries() for n in e["names"]}
    assert not tree - named, (
        f"baby_room modules/folders missing from README 'What is where': {sorted(tree - named)}")
    assert not named - tree, (
        f"README 'What is where' names baby_room entries that do not exist: {sorted(named - tree)}")


def test_every_module_of_a_subpackage_is_named_in_its_description():
    problems = []
    for e in _package_entries():
        for name in e["names"]:
            folder = PACKAGE / name.rstrip("/")
            if not name.endswith("/") or not (folder / "__init__.py").exists():
                continue
            modules = {p.name for p in folder.glob("*.py") if p.name != "__init__.py"}
            tokens = set(re.findall(r"[\w*]+\.py\b", e["description"]))
            missing = sorted(m for m in modules
                             if not any(fnmatch.fnmatch(m, t) for t in tokens))
            absent = sorted(t for t in tokens
                            if not any(fnmatch.fnmatch(m, t) for m in modules))
            if missing:
                problems.append(f"{name}: modules not named: {missing}")
            if absent:
                problems.append(f"{name}: named but absent: {absent}")
    assert not problems, "README 'What is where' vs the tree: " + "; ".join(problems)


def test_paths_named_in_descriptions_exist():
    roots = {n.split("/")[0] for e in _top_level() for n in e["names"]}
    package_dirs = {p.name for p in PACKAGE.iterdir() if p.is_dir()}
    absent = []
    for e in _entries():
        for path in re.findall(r"(?<![\w/.])([A-Za-z_]\w*/[\w./*-]*)", e["description"]):
            first = path.split("/")[0]
            if first in roots:
                base = ROOT
            elif first in package_dirs:
                base = PACKAGE
            else:
                continue  # prose such as "matplotlib/statsmodels"
            if not (base / path.rstrip(".")).exists():
                absent.append(path)
    assert not absent, f"README 'What is where' names paths that do not exist: {absent}"
