"""Step 3b: the example tables of the "Your data" page.

:func:`write_examples` writes the examples that are made from the raw dataset files
(``anomascope.tables.examples``: a KDD Cup 1999 sample and an ECG5000 series) as CSV files under
``dist/data/examples/``, and checks that every example the schema lists is in the site: the
committed one (breast cancer, ``web/static/examples/``) arrives with the static files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sitebuild.common import ROOT, WEB, BuildError, log


def write_examples(folder: Path, out: Path) -> None:
    """Write ``<id>.csv`` for each built example into ``out`` (``dist/data/examples``), reading
    the raw files in the data ``folder``."""
    if str(ROOT / "pysrc") not in sys.path:
        sys.path.insert(0, str(ROOT / "pysrc"))
    from anomascope.data import ecg, kdd
    from anomascope.tables import examples

    out.mkdir(parents=True, exist_ok=True)
    beats = ecg.load_ecg5000(folder)
    built = {
        "kdd_connections": examples.kdd_connections_csv((folder / kdd.TRAIN_FILE).read_bytes()),
        "ecg_series": examples.ecg_series_csv(beats.test_X, beats.test_y),
    }
    for example_id, data in built.items():
        entry = examples.example(example_id)
        if entry["file"] != f"data/examples/{example_id}.csv":
            raise BuildError(f"example {example_id}: its file should be data/examples/")
        (out / f"{example_id}.csv").write_bytes(data)
        rows = data.count(b"\n") - 1
        log("examples", f"{example_id}.csv: {rows} rows, {len(data):,} bytes")
    for entry in examples.EXAMPLES:
        if entry["id"] in built:
            continue
        static = WEB / entry["file"]
        if not entry["file"].startswith("static/") or not static.is_file():
            raise BuildError(f"example {entry['id']}: {entry['file']} is not in web/static/")

