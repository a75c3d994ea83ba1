"""`briefgen preview` as a user runs it: a process, its URL line, Ctrl-C, and bad flags (exit 2)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from bs4 import BeautifulSoup
from typer.testing import CliRunner

from briefgen.cli.main import app

BRIEFGEN = [sys.executable, "-c", "from briefgen.cli.main import main; main()"]


def test_serves_until_ctrl_c(spec_dir: Path) -> None:
    process = subprocess.Popen([*BRIEFGEN, "preview", "baba.yaml", "--port", "0", "--no-open"],
                               cwd=spec_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("previewing baba.yaml at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].split()[0]
        with urllib.request.urlopen(url, timeout=30) as response:
            page = BeautifulSoup(response.read(), "html.parser")
        assert page.h1.get_text().startswith("Alibaba: cloud re-accelerates")
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert "rendered in" in stderr and "stopped" in stderr


def test_bad_arguments_exit_2_before_serving(spec_dir: Path, tmp_path: Path) -> None:
    cases = {
        ("preview", str(tmp_path / "nope.yaml")): f"{tmp_path / 'nope.yaml'}: no such file",
        ("preview", str(spec_dir / "baba.yaml"), "--brand", str(tmp_path / "b.yaml")):
            f"--brand {tmp_path / 'b.yaml'}: no such file",
        ("preview", str(spec_dir / "baba.yaml"), "--templates", str(tmp_path / "t")):
            f"--templates {tmp_path / 't'}: no such folder",
        ("preview", str(spec_dir / "baba.yaml"), "--paper", "a5"):
            "unknown paper 'a5'; choose a4 or letter",
    }
    for args, message in cases.items():
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code != 0
        assert isinstance(result.exception, Exception)
        assert str(result.exception) == message
        assert getattr(result.exception, "exit_code", None) == 2


def test_a_port_in_use_is_a_usage_error(spec_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*BRIEFGEN, "preview", "baba.yaml", "--port", str(port),
                               "--no-open"], cwd=spec_dir, capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith(f"cannot serve on 127.0.0.1:{port}: ")
    assert "choose another --port; 0 picks a free one" in done.stderr
