"""`python -m dtrack.eval_import DIR [--json] [-v]`: score the importer on documents with gold files.

The scorer is dtrack.importer.evaluate; this module is the short name a clerk or a reviewer types.
"""
from __future__ import annotations

import sys

from dtrack.importer.evaluate import main_gold

if __name__ == "__main__":
    sys.exit(main_gold())
