"""``python -m helpers``: the course's command line (:mod:`helpers.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
