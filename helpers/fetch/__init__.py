"""Get the real data: read ``data_manifest.yaml``, report status, download and install safely.

The course runs on a generated demo set; the real Harmonix Set comes in two parts, installed
under the data root (``$HELPERS_DATA_DIR``, else ``<repo>/data``) by one command each:

- ``python -m helpers data fetch annotations`` -- beats, segments, metadata and five systems'
  published beat estimates, from GitHub (urinieto/harmonixset, pinned commit);
- ``python -m helpers data fetch melspecs`` -- ``Harmonix_melspecs.tgz`` (about 1.2 GB) from the
  dataset authors' link; ``python -m helpers data install-melspecs PATH`` installs a copy
  downloaded by hand.

``python -m helpers data status`` says what is there and what to run
(:mod:`helpers.cli.data_commands` parses the command line; this package does the work).

One module per job:

- :mod:`.manifest` -- read ``data_manifest.yaml`` and check its schema;
- :mod:`.state`    -- what is installed, what is missing, the command that gets it;
- :mod:`.download` -- download with pooch, resuming an interrupted download (HTTP Range);
- :mod:`.archive`  -- unpack an untrusted tar archive safely;
- :mod:`.verify`   -- content digests, checksums, and a read of every file with
  :mod:`helpers.data`'s loaders;
- :mod:`.install`  -- the installs themselves: download, unpack into a staging folder, verify,
  swap into place (:mod:`helpers.files` holds the staging, swapping and locking).

Conventions
-----------
- Every installed directory holds a ``.complete`` marker, written after everything in it was
  verified; a directory without it is *incomplete* and is never trusted.
- Nothing is written in place until it is verified: downloads collect in a ``.part`` file,
  archives are extracted into a hidden staging directory next to the target, checked, and only
  then renamed into place (a rename on the same file system is atomic). Any failure, including
  Ctrl-C, removes the staging directory and leaves the previous state untouched.
- Archives are never trusted: absolute paths, ``..`` components, links, device files and
  anything that would land outside the target are refused, and the error names the member.
- Arrays are read without pickle; an ``.npy`` holding Python objects is refused.
- Content, not bytes, is verified where the bytes are not stable (GitHub archives): see
  :func:`tree_digest`.
"""

from __future__ import annotations

from ..data import COMPLETE_MARKER, data_root
from .download import DOWNLOAD_ATTEMPTS, DOWNLOAD_TIMEOUT_S
from .install import InstallReport, fetch_annotations, fetch_melspecs, install_melspecs
from .manifest import ANNOTATIONS_URL_ENV, MANIFEST_PATH, MELSPECS_URL_ENV, load_manifest
from .state import StatusLine, format_status, status
from .verify import check_melspec_dir, file_sha256, tree_digest, verify_annotations

#: Marker file written last into every installed directory (:data:`helpers.data.COMPLETE_MARKER`).
MARKER_NAME = COMPLETE_MARKER

__all__ = [
    "MANIFEST_PATH",
    "MARKER_NAME",
    "ANNOTATIONS_URL_ENV",
    "MELSPECS_URL_ENV",
    "DOWNLOAD_TIMEOUT_S",
    "DOWNLOAD_ATTEMPTS",
    "StatusLine",
    "InstallReport",
    "load_manifest",
    "data_root",
    "file_sha256",
    "tree_digest",
    "status",
    "format_status",
    "fetch_annotations",
    "fetch_melspecs",
    "verify_annotations",
    "install_melspecs",
    "check_melspec_dir",
]
