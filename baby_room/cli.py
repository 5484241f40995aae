"""The ``baby-room`` command: validate files, write the synthetic data, build the report.

Examples (shell)::

    baby-room validate data/raw/survey.xlsx          # exit 0 when clean, 1 when not
    baby-room validate export.csv --kind coding
    baby-room map data/raw/qualtrics_export.csv      # draft a mapping file beside it
    baby-room synth --out data/synthetic
    baby-room codebook --out data/README.md
    baby-room report [--data DIR] [--out reports] [--areas local_authority] [--areas region]
    baby-room --version
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from pathlib import Path

from baby_room._version import __version__
from baby_room.kinds import KINDS, kind_from_name, loader

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (escape sequences, bidi
    controls, zero-width characters) taken from a data file are shown as ``\\xNN`` / ``\\uNNNN``.

    Examples
    --------
    >>> printable("id \\x1b[31mRED\\x1b[0m")
    'id \\\\x1b[31mRED\\\\x1b[0m'
    """
    def escape(m):
        c = m.group()
        return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"

    return _UNPRINTABLE.sub(escape, text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baby-room",
        description="Load, validate and analyse the Baby Room Project's data.",
    )
    parser.add_argument("--version", action="version", version=f"baby-room {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    v = sub.add_parser("validate", help="check a data file against the codebook")
    v.add_argument("path", help="file to check (csv, tsv, xlsx, parquet, sav, Qualtrics csv)")
    v.add_argument("--kind", choices=KINDS,
                   help="which data set the file is (default: from the file name)")
    v.add_argument("--sheet", default=0, help="Excel sheet name or index (default: first)")

    s = sub.add_parser("synth", help="write the bundled synthetic data sets")
    s.add_argument("--out", default="data/synthetic", help="output folder (default: data/synthetic)")

    c = sub.add_parser("codebook", help="write the codebook as Markdown")
    c.add_argument("--out", default="data/README.md", help="output file (default: data/README.md)")

    v.add_argument("--mapping", default=None,
                   help="survey mapping file (default: <export>.mapping.toml or "
                        "survey.mapping.toml beside the file; see docs/mapping.md)")

    m = sub.add_parser("map", help="draft a mapping file for a survey export")
    m.add_argument("export", help="the survey export (Qualtrics csv/tsv, xlsx, sav, ...)")
    m.add_argument("--out", default=None,
                   help="where to write it (default: <export stem>.mapping.toml beside it)")
    m.add_argument("--sheet", default=0, help="Excel sheet name or index (default: first)")
    m.add_argument("--force", action="store_true", help="replace an existing mapping file")

    r = sub.add_parser("report", help="build the findings report")
    r.add_argument("--data", default=None,
                   help="data folder with any of the survey/coding/codebook/evidence files "
                        "(default: the bundled synthetic data)")
    r.add_argument("--out", default="reports",
                   help="output folder: new, empty, or a report built before; it is replaced "
                        "(default: reports)")
    r.add_argument("--force", action="store_true", help="re-execute every notebook")
    r.add_argument("--threshold", type=int, default=5,
                   help="disclosure control: smallest count published (default: 5)")
    r.add_argument("--areas", action="append", choices=("local_authority", "region"),
                   help="also write one briefing per area into OUT/areas/ (repeatable)")
    return parser


def _cmd_validate(args) -> int:
    """Validate one file; print the report; 0 when clean, 1 when not, 2 when the kind is unknown."""
    from baby_room import errors
    from baby_room._validate import set_aside_cells, set_aside_rows
    from baby_room.project import check_regular_file

    kind = args.kind or kind_from_name(args.path)
    if kind is None:
        print(printable(f"{args.path}: cannot tell which data set this is from its name "
                        f"(expected {', '.join(k + '.*' for k in KINDS)}); "
                        f"pass --kind {{{','.join(KINDS)}}}"), file=sys.stderr)
        return 2
    options = {"sheet": args.sheet}  # a sheet name first: "--sheet 2023" is the sheet 2023
    if kind == "survey" and args.mapping:
        options["mapping"] = args.mapping
    try:
        check_regular_file(args.path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = loader(kind)(args.path, **options)
    except errors.FileFormatError as exc:
        print(printable(f"cannot read {kind} file: {exc}"))
        return 1
    except errors.DataValidationError as exc:
        print(printable(str(exc)))
        return 1
    except OSError as exc:  # a reader that let an OS error through: still name the file
        print(printable(f"cannot read {kind} file: {exc.filename or args.path}: "
                        f"{exc.strerror or exc}"))
        return 1
    print(printable(f"{args.path}: {kind} file is valid — {len(frame)} rows, "
                    f"{frame.shape[1]} canonical columns ({frame.attrs.get('format')})."))
    if frame.attrs.get("mapping"):
        print(printable(f"  Mapping file: {frame.attrs['mapping']}"))
    aside, cells = set_aside_rows(frame), set_aside_cells(frame)
    if len(aside):
        print(f"  {len(aside)} rows set aside (not loaded):")
        for rec in aside.head(20).itertuples(index=False):
            print(printable(f"    row {rec.row}: {rec.reasons}"))
    if len(cells):
        print(f"  {len(cells)} cells made missing (their rows kept):")
        for rec in cells.head(20).itertuples(index=False):
            print(printable(f"    row {rec.row}, column {rec.column}: {rec.value!r} - {rec.reason}"))
    if frame.attrs.get("synthetic"):
        print("  The file is marked as SYNTHETIC data.")
    unused = frame.attrs.get("unused_columns") or []
    if unused:
        print(printable(f"  Columns not in the codebook (not loaded): {', '.join(unused)}"))
    if kind == "survey":
        _print_conflicts(frame)
    return 0


def _cmd_map(args) -> int:
    """Draft a mapping file beside the export (never replacing one unless --force)."""
    from baby_room import errors
    from baby_room.mapping import draft_mapping

    export = Path(args.export)
    out = Path(args.out) if args.out else export.with_name(f"{export.stem}.mapping.toml")
    if out.exists() and not args.force:
        print(printable(f"{out} exists: edit it, or pass --force to draft it again"),
              file=sys.stderr)
        return 1
    try:
        text = draft_mapping(export, sheet=args.sheet)
    except errors.BabyRoomError as exc:
        print(printable(f"cannot draft a mapping: {exc}"), file=sys.stderr)
        return 1
    out.write_text(text, encoding="utf-8")
    unknown = text.count('= "?"')
    print(printable(f"wrote {out}: check it, and replace the {unknown} \"?\" "
                        "(see docs/mapping.md)"))
    return 0


def _print_conflicts(frame) -> None:
    from baby_room.survey.load import list_room_conflicts

    conflicts = list_room_conflicts(frame)
    if len(conflicts):
        print(f"  Note: {conflicts[['setting_id', 'room_id']].drop_duplicates().shape[0]} "
              "rooms are described differently by two respondents (flagged, not an error):")
        for rec in conflicts.itertuples(index=False):
            print(printable(f"    setting {rec.setting_id}, room {rec.room_id}: "
                            f"{rec.column} = {rec.values}"))


def _cmd_synth(args) -> int:
    from baby_room import synthetic

    for path in synthetic.write_all(args.out):
        print(f"wrote {path} (SYNTHETIC DATA)")
    return 0


def _cmd_codebook(args) -> int:
    from baby_room.codebook import codebook_markdown

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(codebook_markdown() + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


def _cmd_report(args) -> int:
    from baby_room import errors
    from baby_room.report import ReportError, build_report

    try:
        result = build_report(data_dir=args.data, out_dir=args.out, force=args.force,
                              threshold=args.threshold)
    except (ReportError, errors.BabyRoomError) as exc:
        print(printable(f"report failed: {exc}"), file=sys.stderr)
        return 1
    print(f"report written to {result.out_dir} ({result.summary()})")
    for level in dict.fromkeys(args.areas or ()):  # issue 14: area briefings
        from baby_room.areas.briefings import write_area_briefings
        from baby_room.mapping import design_from
        from baby_room.project import load_project

        project = load_project(args.data)
        if "survey" not in project.present or not len(project.survey):
            print("no survey data: no area briefings", file=sys.stderr)
            break
        survey = project.survey
        index = write_area_briefings(survey, result.out_dir, level=level,
                                     design=design_from(survey),  # the mapping's [design]
                                     min_count=args.threshold)
        print(f"{len(index)} {level} briefings written to {result.out_dir / 'areas'}")
    return 0


def main(argv=None) -> int:
    """Entry point of the ``baby-room`` command; returns the exit status.

    Examples
    --------
    >>> main(["--version"])
    Traceback (most recent call last):
    ...
    SystemExit: 0
    >>> main([])  # doctest: +ELLIPSIS
    usage: baby-room ...
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    commands = {"validate": _cmd_validate, "synth": _cmd_synth, "codebook": _cmd_codebook,
                "report": _cmd_report, "map": _cmd_map}
    if args.command is None:
        parser.print_help()
        return 0
    return commands[args.command](args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
