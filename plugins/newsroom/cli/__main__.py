"""``python -m newsroom.cli``: the same as the ``newsroom`` console script."""

import sys

from newsroom.cli import main

sys.exit(main())
