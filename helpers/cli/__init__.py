"""The command line, ``python -m helpers COMMAND ...``: one parser for every command.

=================  ==========================================================  ======================
command            what it does                                                defined in
=================  ==========================================================  ======================
data ...           status / fetch / install of the real data                   :mod:`.data_commands`
demo, warm,        the demo set, librosa's JIT, every notebook headless,       :mod:`.course_commands`
course,            notebook outputs removed
strip-notebooks
track, evaluate,   beat tracking and scoring of whole folders (tempo, bars,    :mod:`.tracking_commands`
validate           a learned novelty with --model)
train              learn a novelty function from annotated mel-spectrograms    :mod:`.learn_commands`
=================  ==========================================================  ======================

Options shared by several commands are defined once in :mod:`.options` (dashed spellings,
with the original brief's ``--reference_dir`` style kept as aliases).

User errors (missing data, bad files, bad arguments, an output folder that cannot be
written) print one readable line and exit with status 2; ``--debug`` shows the full
traceback instead. A usage error is status 2 too (argparse's message). Ctrl-C exits with
status 130. See docs/FAULTS.md.
"""

from __future__ import annotations

import argparse
import sys

from ..errors import HelpersError
from .course_commands import add_course_commands
from .data_commands import add_data_commands
from .learn_commands import add_learn_commands
from .options import add_tracker_options, tracker_changes
from .tracking_commands import add_tracking_commands

__all__ = ["main", "build_parser", "add_tracker_options", "tracker_changes"]

_INTERRUPTED = ("interrupted: no file was left half-written; `validate` resumes from its cache "
                "when run again")


def build_parser() -> argparse.ArgumentParser:
    """The one parser of ``python -m helpers``, with every command."""
    parser = argparse.ArgumentParser(prog="python -m helpers",
                                     description="Command line of the beat-tracking course (python -m helpers).")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_data_commands(sub)
    add_course_commands(sub)
    add_tracking_commands(sub)
    add_learn_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status (0 ok, 1 some tracks failed, 2 user error, 130 Ctrl-C)."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:   # --help (0) or a usage error (2): argparse has printed it
        return 0 if exc.code is None else int(exc.code)
    try:
        return args.func(args)
    except HelpersError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. a folder that cannot be read: one line too (--debug: traceback)
        if args.debug:
            raise
        print(f"error: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if args.debug:
            raise
        print(getattr(args, "interrupted", _INTERRUPTED), file=sys.stderr)
        return 130
