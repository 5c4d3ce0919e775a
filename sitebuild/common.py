"""What every build step shares: the repository's paths, the error a step raises, the log
line format, running a quiet subprocess and hashing a file."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
CACHE = ROOT / ".cache"
WEB = ROOT / "web"
MODELS = ROOT / "models"
# The file in dist/ that records the digest of the inputs it was built from (see digest.py).
DIGEST_FILE = ".build-digest"


class BuildError(RuntimeError):
    """A build step failed for a reason the user can act on."""


def log(step: str, message: str) -> None:
    """One progress line on stderr, tagged with the step."""
    print(f"[{step:>8}] {message}", file=sys.stderr, flush=True)


def run_quiet(cmd: list[str], what: str, **kwargs: Any) -> None:
    """Run ``cmd`` without its chatter; on failure raise a BuildError with the tail of stderr."""
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if proc.returncode:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
        raise BuildError(f"{what} failed:\n{tail}")


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
