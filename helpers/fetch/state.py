"""What is installed, what is missing, and the command that gets it (``python -m helpers data status``).

A data set is *present* only when its folders hold the ``.complete`` marker (written by the
installer after every check passed) and the files the manifest promises; *incomplete* when the
marker or parts are missing (an interrupted install, or files copied by hand); *corrupt* when
it is marked complete but its content no longer matches the manifest; *missing* when there is
nothing. Without ``verify`` the status only counts files and looks for markers (instant); with
it, digests are recomputed and array headers read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..data import COMPLETE_MARKER, INFO_JSON, MELSPEC_SUFFIX
from ..errors import HelpersError
from .manifest import as_manifest, resolve_root
from .verify import check_melspec_dir, file_sha256, tree_digest, tree_files

__all__ = ["StatusLine", "status", "status_of", "format_status", "annotation_parts"]

_INCOMPLETE_MEL = (f"no {COMPLETE_MARKER} marker (interrupted, or copied by hand without "
                   "verification)")


@dataclass
class StatusLine:
    """One data set's state, as ``python -m helpers data status`` prints it.

    ``state`` is ``"present"``, ``"missing"``, ``"incomplete"`` (there, but not finished or not
    verified: no ``.complete`` marker, or parts missing) or ``"corrupt"`` (marked complete, but
    the content no longer matches the manifest). ``found``/``expected`` hold counts by item;
    ``command`` is the exact command that gets or repairs the data set. For a data set that
    is one archive, ``url`` is where the command downloads it from, ``size`` about how big it
    is, and ``by_hand`` the command that installs a copy downloaded by hand.
    """

    name: str
    state: str
    path: Path
    found: dict[str, int] = field(default_factory=dict)
    expected: dict[str, int | None] = field(default_factory=dict)
    command: str = ""
    detail: str = ""
    url: str | None = None
    by_hand: str = ""
    size: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "present"


def status(root: str | os.PathLike | None = None, *, manifest=None,
           verify: bool = False) -> list[StatusLine]:
    """State of every data set in the manifest.

    Parameters
    ----------
    root : str or Path, optional
        Data root; default :func:`helpers.data.data_root`.
    manifest : dict or path, optional
        Default: the repository's ``data_manifest.yaml``.
    verify : bool
        Also recompute content digests (annotations) and read every array header (melspecs).
        Without it, status only counts files and looks for markers (instant).

    Returns
    -------
    list of StatusLine
    """
    manifest = as_manifest(manifest)
    root = resolve_root(root)
    lines = []
    for name, ds in manifest["datasets"].items():
        if ds["kind"] == "download":
            lines.append(_status_annotations(name, ds, root, verify))
        elif ds["kind"] == "archive":
            lines.append(_status_melspecs(name, ds, root, verify))
        else:
            lines.append(_status_generated(name, ds, root))
    by_name = {line.name: line for line in lines}
    if "melspecs" in by_name and "annotations" in by_name:
        mel, ann = by_name["melspecs"], by_name["annotations"]
        if not mel.ok and not ann.ok:
            mel.detail += ("; fetch the annotations first: the install then checks every array "
                           "against its track's duration in metadata.csv")
    return lines


def status_of(manifest: dict, root: Path, name: str) -> StatusLine:
    """The :func:`status` line of data set ``name`` (without ``verify``)."""
    return next(line for line in status(root, manifest=manifest) if line.name == name)


def annotation_parts(ds: dict) -> list[str]:
    """The top folders the annotations install (``dataset``, ``results``), in manifest order."""
    parts = []
    for item in list(ds["trees"]) + list(ds["files"]):
        top = PurePosixPath(item["to"]).parts[0]
        if top not in parts:
            parts.append(top)
    return parts


def _has_marker(directory: Path) -> bool:
    return (directory / COMPLETE_MARKER).is_file()


def _count(directory: Path, pattern: str) -> int:
    return len(tree_files(directory, pattern)) if directory.is_dir() else 0


def _status_annotations(name: str, ds: dict, root: Path, verify: bool) -> StatusLine:
    target = root / ds["install_to"]
    line = StatusLine(name=name, state="present", path=target, command=ds["get"])
    parts = annotation_parts(ds)
    exists = [p for p in parts if (target / p).is_dir()]
    problems = []
    for tree in ds["trees"]:
        key = tree["to"]
        line.expected[key] = tree["count"]
        line.found[key] = _count(target / tree["to"], tree["pattern"])
        if line.found[key] != tree["count"]:
            problems.append(f"{key}: {line.found[key]} of {tree['count']} files")
        elif verify:
            digest, _ = tree_digest(target / tree["to"], tree["pattern"])
            if digest != tree["digest"]:
                problems.append(f"{key}: content differs from the manifest (digest {digest[:19]}...)")
    for f in ds["files"]:
        p = target / f["to"]
        line.expected[f["to"]] = 1
        line.found[f["to"]] = int(p.is_file())
        if not p.is_file():
            problems.append(f"{f['to']} missing")
        elif verify and file_sha256(p) != f["sha256"]:
            problems.append(f"{f['to']}: sha256 differs from the manifest")
    unmarked = [p for p in exists if not _has_marker(target / p)]
    if not exists:
        line.state, line.detail = "missing", "not downloaded yet"
    elif unmarked or len(exists) < len(parts):
        why = [f"{p}/ has no {COMPLETE_MARKER} marker (interrupted or copied by hand)" for p in unmarked]
        why += [f"{p}/ missing" for p in parts if p not in exists]
        line.state, line.detail = "incomplete", "; ".join(why + problems[:3])
        line.command = ds["get"] + " --force"
    elif problems:
        line.state = "corrupt"
        line.detail = "; ".join(problems[:4]) + (" ..." if len(problems) > 4 else "")
        line.command = ds["get"] + " --force"
    return line


def _status_melspecs(name: str, ds: dict, root: Path, verify: bool) -> StatusLine:
    target = root / ds["install_to"]
    src = ds["source"]
    line = StatusLine(name=name, state="present", path=target, command=ds["get"],
                      url=src.get("url"), by_hand=ds["get_by_hand"], size=src.get("approx_size", ""))
    n_expected = ds["expected"]["arrays"]
    line.expected = {"arrays": n_expected, INFO_JSON: 1}
    line.found = {"arrays": _count(target, "*" + MELSPEC_SUFFIX),
                  INFO_JSON: int((target / INFO_JSON).is_file())}
    if not target.is_dir():
        line.state, line.detail = "missing", "not installed yet"
        return line
    problems = []
    if line.found["arrays"] != n_expected:
        problems.append(f"{line.found['arrays']} of {n_expected} arrays")
    if not line.found[INFO_JSON]:
        problems.append(f"{INFO_JSON} missing")
    if verify and not problems:
        try:
            check_melspec_dir(target, parameters=ds["parameters"], expected_count=n_expected,
                              headers_only=True, progress=False)
        except HelpersError as exc:
            problems.append(str(exc))
    if not _has_marker(target):
        line.state, line.detail = "incomplete", "; ".join([_INCOMPLETE_MEL] + problems)
    elif problems:
        line.state, line.detail = "corrupt", "; ".join(problems)
    if line.state != "present":
        line.command, line.by_hand = ds["get"] + " --force", ds["get_by_hand"] + " --force"
    return line


def _status_generated(name: str, ds: dict, root: Path) -> StatusLine:
    target = root / ds["install_to"]
    line = StatusLine(name=name, state="present", path=target, command=ds["get"])
    n = _count(target, "*" + MELSPEC_SUFFIX)
    expected = ds.get("expected_tracks")
    if expected is None and ds.get("generator") == "helpers.synth":
        from ..synth import DEMO_TRACKS

        expected = len(DEMO_TRACKS)
    line.found, line.expected = {"tracks": n}, {"tracks": expected}
    if not target.is_dir():
        line.state, line.detail = "missing", "not generated yet"
    elif not _has_marker(target):
        line.state, line.detail = "incomplete", f"no {COMPLETE_MARKER} marker (generation interrupted)"
    elif n == 0 or (expected and n != expected):
        line.state, line.detail = "corrupt", f"{n} mel-spectrograms found"
    return line


def _counts_text(line: StatusLine) -> str:
    bits, est_found, est_expected, n_sys = [], 0, 0, 0
    for key, n in line.found.items():
        exp = line.expected.get(key)
        if key.startswith("results/beats/"):  # the five systems' estimates: one summary
            est_found, est_expected, n_sys = est_found + n, est_expected + (exp or 0), n_sys + 1
            continue
        bits.append(f"{key.rsplit('/', 1)[-1]} {n}" + ("" if exp is None else f"/{exp}"))
    if n_sys:
        bits.append(f"estimates ({n_sys} systems) {est_found}/{est_expected}")
    return ", ".join(bits)


def format_status(lines: Iterable[StatusLine], root: str | os.PathLike | None = None) -> str:
    """Human-readable report of :func:`status` (what ``python -m helpers data status`` prints)."""
    lines = list(lines)
    out = [f"Data root: {resolve_root(root)}  (change it with HELPERS_DATA_DIR)", ""]
    pad = " " * 12
    for line in lines:
        out.append(f"{line.name:<12} {line.state.upper():<11} {line.path}")
        out.append(f"{pad} {_counts_text(line)}")
        if line.detail:
            out.append(f"{pad} {line.detail}")
        if not line.ok:
            out.append(f"{pad} to get it: {line.command}")
            if line.url:
                size = f"about {line.size} " if line.size else ""
                out.append(f"{pad}   (downloads {size}from {line.url}; an interrupted download "
                           "resumes when you run it again)")
            if line.by_hand:
                out.append(f"{pad} or, with the file downloaded by hand: {line.by_hand}")
        out.append("")
    missing = [line.name for line in lines if not line.ok]
    out.append("All data sets are present." if not missing
               else f"Not ready: {', '.join(missing)}. Run the command shown for each.")
    return "\n".join(out)
