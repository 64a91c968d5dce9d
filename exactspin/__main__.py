"""``python -m exactspin``: the same command as ``exactspin``."""

import sys

from exactspin.cli.main import main

sys.exit(main())
