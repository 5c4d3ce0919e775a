"""``python -m anomascope`` and the ``anomascope`` command: see :mod:`anomascope.cli`."""

from __future__ import annotations

import sys

from anomascope.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
