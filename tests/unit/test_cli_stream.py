"""The command as a pipe: `| head` ends quietly, `--follow` answers each line as it arrives."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from anomascope.data.kdd import FEATURE_NAMES
from anomascope.data.kdd_rows import parse_kdd_rows
from anomascope.weights import load_model_files
from tests.unit.cli_helpers import KDD_MODEL, ROOT, kdd_lines, run_cli

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "pysrc")}


def test_a_closed_pipe_ends_quietly(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("\n".join(kdd_lines(data_dir, 300) * 100) + "\n")  # 30,000 rows
    command = [sys.executable, "-m", "anomascope", "score", "--model", str(KDD_MODEL), str(path)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"row\tscore\tlabel\n"
    proc.stdout.readline()
    proc.stdout.close()  # like `head -2` exiting
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) in (0, 141)
    assert "Traceback" not in err and "BrokenPipe" not in err


def read_line(stream, timeout: float = 30.0) -> bytes:
    """One line from a pipe, failing (not hanging) if it does not come within ``timeout``."""
    deadline = time.monotonic() + timeout
    data = b""
    fd = stream.fileno()
    while not data.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            pytest.fail(f"no verdict within {timeout} s (got {data!r})")
        chunk = os.read(fd, 1)
        if not chunk:
            pytest.fail(f"the command ended early (got {data!r})")
        data += chunk
    return data


def test_follow_answers_each_line_before_the_next(data_dir: Path) -> None:
    lines = [line.rsplit(",", 1)[0] for line in kdd_lines(data_dir, 4)]
    model = load_model_files(KDD_MODEL.parent, KDD_MODEL.name)
    command = [sys.executable, "-m", "anomascope", "score", "--model", str(KDD_MODEL), "--follow"]
    proc = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        assert read_line(proc.stdout) == b"row\tscore\tlabel\n"
        for i, line in enumerate(lines):
            proc.stdin.write(line.encode() + b"\n")
            proc.stdin.flush()  # the pipe stays open: the verdict must come per line
            row, score, label = read_line(proc.stdout).decode().rstrip("\n").split("\t")
            assert int(row) == i and label in ("normal", "anomaly")
            X, _ = parse_kdd_rows(line.encode() + b"\n", "x", FEATURE_NAMES)
            assert float(score) == float(model.score(X)[0])
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()


def test_standard_input_and_no_input(data_dir: Path) -> None:
    lines = kdd_lines(data_dir, 3)
    done = run_cli("score", "--model", str(KDD_MODEL), "-", stdin="\n".join(lines).encode())
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 4
    done = run_cli("score", "--model", str(KDD_MODEL))
    assert done.returncode == 2 and b"give a FILE to score" in done.stderr


def stderr_on_a_terminal(args: list[str], extra_env: dict[str, str]) -> tuple[int, str]:
    """Run the command with stderr on a pseudo-terminal; return its exit code and stderr."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    command = [sys.executable, "-m", "anomascope", *args]
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=slave, env={**ENV, **extra_env}
    )
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closes when the command ends
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=60), out.decode(errors="replace")


def test_progress_bar_on_a_terminal_and_none_without_tqdm(data_dir: Path, tmp_path: Path) -> None:
    import tqdm  # noqa: F401 - in the test group; the bar needs it

    path = tmp_path / "many.csv"
    path.write_text("\n".join(kdd_lines(data_dir, 300) * 100) + "\n")
    args = ["score", "--model", str(KDD_MODEL), str(path)]
    code, err = stderr_on_a_terminal(args, {})
    assert code == 0 and "B/s" in err and "rows/s" in err
    # without tqdm (a folder that shadows it with a failing import) the command still works
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "tqdm.py").write_text("raise ImportError('no tqdm here')\n")
    code, err = stderr_on_a_terminal(args, {"PYTHONPATH": f"{shadow}:{ROOT / 'pysrc'}"})
    assert code == 0 and "B/s" not in err and "scored 30,000 rows" in err
