"""Step 3: the datasets. :func:`ensure_data` makes sure every raw file is in the data folder
(downloading what is missing); :func:`write_data_assets` validates them with the anomascope
loaders and writes the compact ``.npz`` arrays the site loads."""

from __future__ import annotations

import io
import sys
import urllib.request
import zipfile
from pathlib import Path

from sitebuild.common import ROOT, BuildError, log

DATA_URLS = {
    "ECG5000/ECG5000_TRAIN.txt": "https://www.timeseriesclassification.com/aeon-toolkit/ECG5000.zip",
    "ECG5000/ECG5000_TEST.txt": "https://www.timeseriesclassification.com/aeon-toolkit/ECG5000.zip",
    "kddcup99/kddcup.data_10_percent.gz": "http://kdd.ics.uci.edu/databases/kddcup99/kddcup.data_10_percent.gz",
    "kddcup99/corrected.gz": "http://kdd.ics.uci.edu/databases/kddcup99/corrected.gz",
    "kddcup99/kddcup.names": "http://kdd.ics.uci.edu/databases/kddcup99/kddcup.names",
}


def data_files(folder: Path) -> list[Path]:
    """The raw dataset files the build reads, in a fixed order."""
    return [folder / rel for rel in sorted(DATA_URLS)]


def _download(url: str, target: Path) -> None:
    """Fetch ``url`` into ``target``; a zip archive is unpacked beside it (ECG5000_*.txt)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(url, timeout=60) as resp:
        payload = resp.read()
    if not url.endswith(".zip"):
        target.write_bytes(payload)
        return
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        for member in archive.namelist():
            if member.endswith(".txt") and Path(member).name.startswith("ECG5000_"):
                (target.parent / Path(member).name).write_bytes(archive.read(member))


def ensure_data(folder: Path) -> None:
    """Make sure every dataset file is in ``folder``, downloading what is missing."""
    missing = [rel for rel in DATA_URLS if not (folder / rel).is_file()]
    if not missing:
        log("data", f"datasets found in {folder}")
        return
    log("data", f"downloading {len(missing)} missing file(s) into {folder}")
    failed = []
    for rel in missing:
        if (folder / rel).is_file():  # arrived with an archive fetched for an earlier file
            continue
        try:
            _download(DATA_URLS[rel], folder / rel)
        except OSError as exc:
            failed.append(f"{rel} ({exc.__class__.__name__})")
    if failed:
        raise BuildError(
            f"dataset files missing from {folder} and could not be downloaded: {', '.join(failed)}."
            " Put them there, or point --data / ANOMASCOPE_DATA at a folder that has them."
        )


def write_data_assets(folder: Path, out: Path) -> None:
    """Validate the datasets and write compact binary site assets (.npz of typed arrays)."""
    import numpy as np

    if str(ROOT / "pysrc") not in sys.path:
        sys.path.insert(0, str(ROOT / "pysrc"))
    from anomascope.data import ecg, kdd

    out.mkdir(parents=True, exist_ok=True)
    data = ecg.load_ecg5000(folder)
    np.savez(
        out / "ecg5000.npz",
        train_X=data.train_X,
        train_y=data.train_y,
        test_X=data.test_X,
        test_y=data.test_y,
    )
    log("data", f"ecg5000.npz: {len(data.train_y)} train + {len(data.test_y)} test beats")
    kdd.read_feature_names(folder / kdd.NAMES_FILE)
    corrected = kdd.load_kdd_file(folder / kdd.TEST_FILE, kdd.EXPECTED_COUNTS[kdd.TEST_FILE])
    stream = kdd.stream_arrays(corrected)
    np.savez_compressed(out / "kdd_stream.npz", **stream)
    log(
        "data",
        f"kdd_stream.npz: {len(stream['anomaly'])} connections "
        f"({int(stream['anomaly'].sum())} attacks) from corrected.gz",
    )
