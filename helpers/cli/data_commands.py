"""``python -m helpers data ...``: status, download and installation of the course's data.

One command per data set: ``data fetch annotations``, ``data fetch melspecs`` (and
``data install-melspecs PATH`` for an archive downloaded by hand); ``data status`` says which
to run. The work is done by :mod:`helpers.fetch`; this module only parses the command line
and prints what the functions return.
"""

from __future__ import annotations

__all__ = ["add_data_commands"]


def _cmd_status(args) -> int:
    from ..fetch import format_status, status

    print(format_status(status(args.root, verify=args.verify), args.root))
    return 0


def _cmd_fetch(args) -> int:
    from ..fetch import fetch_annotations, fetch_melspecs

    fetch = {"annotations": fetch_annotations, "melspecs": fetch_melspecs}[args.dataset]
    print(fetch(url=args.url, root=args.root, force=args.force, progress=not args.quiet))
    return 0


def _cmd_install_melspecs(args) -> int:
    from ..fetch import install_melspecs

    print(install_melspecs(args.path, root=args.root, force=args.force, progress=not args.quiet))
    return 0


def add_data_commands(subparsers) -> None:
    """Register ``data`` and its own sub-commands (``status``, ``fetch``, ``install-melspecs``)."""
    from ..fetch import ANNOTATIONS_URL_ENV, MELSPECS_URL_ENV

    data = subparsers.add_parser("data", help="status / fetch / install of the real data (data_manifest.yaml)",
                                 description="Status, download and installation of the course data.")
    data.add_argument("--root", help="data root (default: $HELPERS_DATA_DIR or <repo>/data)")
    data.add_argument("--quiet", action="store_true", help="no progress bars")
    sub = data.add_subparsers(dest="data_command", required=True, metavar="COMMAND")

    s = sub.add_parser("status", help="what is present, what is missing, and how to get it")
    s.add_argument("--verify", action="store_true", help="also recompute digests / read headers")
    s.set_defaults(func=_cmd_status)

    f = sub.add_parser("fetch", help="download, verify and install a data set (annotations, melspecs)",
                       description="Download a data set, verify it and install it. An interrupted "
                       "download resumes when the command is run again.")
    f.add_argument("dataset", choices=["annotations", "melspecs"],
                   help="annotations: beats, segments, metadata, published estimates (GitHub); "
                        "melspecs: Harmonix_melspecs.tgz (about 1.2 GB)")
    f.add_argument("--url", help=f"download from this mirror instead (also ${ANNOTATIONS_URL_ENV} "
                                 f"for the annotations, ${MELSPECS_URL_ENV} for the melspecs)")
    f.add_argument("--force", action="store_true", help="reinstall even if present")
    f.set_defaults(func=_cmd_fetch)

    m = sub.add_parser("install-melspecs",
                       help="verify and install a Harmonix_melspecs.tgz you downloaded by hand")
    m.add_argument("path", help="the downloaded Harmonix_melspecs.tgz")
    m.add_argument("--force", action="store_true", help="reinstall even if present")
    m.set_defaults(func=_cmd_install_melspecs)
    data.set_defaults(interrupted="interrupted: nothing was installed; the previous data is unchanged "
                                  "(an interrupted download resumes when you run the command again).")
