"""Tables from users' files: parsing, profiling, preparation for detectors, and windows.

The one implementation behind the "Your data" page and the command line (issue 12):
:func:`parse_table` reads CSV/TSV bytes into a :class:`Table`, :func:`profile_table` describes
its columns, :func:`fit_preparation` / :func:`feature_matrix` turn chosen columns into a
preprocessing spec and its raw input, and the window functions cut a series into rows.
"""

from anomascope.tables.dialect import MISSING_MARKERS
from anomascope.tables.parse import LIMITS, Table, parse_table
from anomascope.tables.prepare import feature_matrix, fit_preparation
from anomascope.tables.profile import profile_table
from anomascope.tables.windows import flagged_spans, make_windows, suggest_window, window_starts

__all__ = [
    "LIMITS",
    "MISSING_MARKERS",
    "Table",
    "feature_matrix",
    "fit_preparation",
    "flagged_spans",
    "make_windows",
    "parse_table",
    "profile_table",
    "suggest_window",
    "window_starts",
]
