"""The ``baby-room`` command: validate files, write the synthetic data, build the report.

Examples (shell)::

    baby-room validate data/raw/survey.xlsx          # exit 0 when clean, 1 when not
    baby-room validate export.csv --kind coding
    baby-room synth --out data/synthetic
    baby-room codebook --out data/README.md
    baby-room report [--data DIR] [--out reports] [--areas local_authority] [--areas region]
    baby-room --version
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from baby_room._version import __version__

KINDS = ("survey", "coding", "codebook", "evidence")


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

    r = sub.add_parser("report", help="build the findings report")
    r.add_argument("--data", default=None,
                   help="data folder with survey/coding/codebook/evidence files "
                        "(default: the bundled synthetic data)")
    r.add_argument("--out", default="reports", help="output folder (default: reports)")
    r.add_argument("--force", action="store_true", help="re-execute every notebook")
    r.add_argument("--threshold", type=int, default=5,
                   help="disclosure control: smallest count published (default: 5)")
    r.add_argument("--areas", action="append", choices=("local_authority", "region"),
                   help="also write one briefing per area into OUT/areas/ (repeatable)")
    return parser


def _kind_from_name(path: str) -> str | None:
    stem = Path(path).stem.lower()
    for kind in ("codebook", "coding", "survey", "evidence"):
        if kind in stem:
            return kind
    return None


def _cmd_validate(args) -> int:
    """Validate one file; print the report; 0 when clean, 1 when not."""
    from baby_room import errors
    from baby_room.evidence.load import load_evidence
    from baby_room.focus_groups.load import load_codebook, load_coding
    from baby_room.survey.load import conflicting_rooms, load_survey

    kind = args.kind or _kind_from_name(args.path)
    if kind is None:
        print(f"{args.path}: cannot tell which data set this is from its name; "
              f"pass --kind {{{','.join(KINDS)}}}", file=sys.stderr)
        return 2
    loader = {"survey": load_survey, "coding": load_coding, "codebook": load_codebook,
              "evidence": load_evidence}[kind]
    sheet = int(args.sheet) if str(args.sheet).isdigit() else args.sheet
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = loader(args.path, sheet=sheet)
    except errors.FileFormatError as exc:
        print(f"cannot read {kind} file: {exc}")
        return 1
    except errors.DataValidationError as exc:
        print(str(exc))
        return 1
    print(f"{args.path}: {kind} file is valid — {len(frame)} rows, "
          f"{frame.shape[1]} canonical columns ({frame.attrs.get('format')}).")
    if frame.attrs.get("synthetic"):
        print("  The file is marked as SYNTHETIC data.")
    unused = frame.attrs.get("unused_columns") or []
    if unused:
        print(f"  Columns not in the codebook (not loaded): {', '.join(unused)}")
    if kind == "survey":
        conflicts = conflicting_rooms(frame)
        if len(conflicts):
            print(f"  Note: {conflicts[['setting_id', 'room_id']].drop_duplicates().shape[0]} "
                  "rooms are described differently by two respondents (flagged, not an error):")
            for rec in conflicts.itertuples(index=False):
                print(f"    setting {rec.setting_id}, room {rec.room_id}: {rec.column} = {rec.values}")
    return 0


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
        print(f"report failed: {exc}", file=sys.stderr)
        return 1
    print(f"report written to {result.out_dir} ({result.summary()})")
    for level in dict.fromkeys(args.areas or ()):  # issue 14: area briefings
        from baby_room.areas.briefings import write_area_briefings
        from baby_room.project import load_project

        survey = load_project(args.data).survey
        if survey is None or not len(survey):
            print("no survey data: no area briefings", file=sys.stderr)
            break
        index = write_area_briefings(survey, result.out_dir, level=level,
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
                "report": _cmd_report}
    if args.command is None:
        parser.print_help()
        return 0
    return commands[args.command](args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
