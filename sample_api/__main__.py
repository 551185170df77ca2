"""``python -m sample_api serve``: the same as the ``sample-api`` console script."""

import sys

from sample_api.cmd import main

sys.exit(main())
