"""The Docker image: what it installs and starts (always checked, by reading the files) and a real
build + run where a Docker daemon is reachable (skipped with a message otherwise).

hadolint (``--failure-threshold warning``) runs in tests/repository/test_ci_parity.py; the README/Dockerfile
agreement on the command line is checked there too and extended here.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import time
import tomllib
import urllib.request
import uuid
from pathlib import Path

import pytest
from conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
README_RUN = "docker build -t convexnn . && docker run -p 8501:8501 convexnn"
BUILD_TIMEOUT = 1800  # a cold build downloads numpy, scipy, cvxpy and streamlit
START_TIMEOUT = 120


# --------------------------------------------------------------------------------------------
# Reading the Dockerfile
# --------------------------------------------------------------------------------------------


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    out, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        current += " " + stripped.rstrip("\\").strip() if current else stripped.rstrip("\\").strip()
        if not stripped.endswith("\\"):
            word, _, rest = current.partition(" ")
            out.append((word.upper(), rest.strip()))
            current = ""
    return out


def dockerfile() -> list[tuple[str, str]]:
    return instructions((ROOT / "Dockerfile").read_text())


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def readme_app_command() -> list[str]:
    """The README's app start, ``streamlit run app.py`` (its first set-up command, after &&)."""
    from test_ci_parity import APP_COMMAND, fenced_blocks

    block = fenced_blocks((ROOT / "README.md").read_text())[0]
    assert block == APP_COMMAND
    return shlex.split(block.split("&&")[-1])


def test_instruction_parser_joins_continuations():
    text = "FROM x:1\n# note\nRUN a \\\n    b\nENV A=1 \\\n  # inner comment\n  B=2\nCMD [\"s\"]\n"
    assert instructions(text) == [("FROM", "x:1"), ("RUN", "a b"), ("ENV", "A=1 B=2"), ("CMD", '["s"]')]


def test_image_installs_exactly_the_requirements():
    steps = dockerfile()
    runs = [args for word, args in steps if word == "RUN"]
    installs = [r for r in runs if re.search(r"\bpip3?\b.*\binstall\b", r)]
    assert installs == ["pip install --no-cache-dir -r requirements.txt"], (
        f"the image must install requirements.txt and nothing else with pip: {installs}")
    assert not any(re.search(r"\b(apt-get|apk|conda|uv)\b", r) for r in runs), runs
    copies = [args for word, args in steps if word in ("COPY", "ADD")]
    first_files = copies[0].split()
    assert "requirements.txt" in first_files, "requirements.txt must be copied before the install"
    assert not [w for w, _ in steps if w == "ADD"], "use COPY, not ADD (no remote or archive magic)"
    # the package the requirements install editable (-e .) is the one in the image
    assert (ROOT / "requirements.txt").read_text().strip().splitlines()[-1] == "-e ."


def test_image_starts_the_readme_app_headless_on_all_interfaces():
    steps = dockerfile()
    bases = [args for word, args in steps if word == "FROM"]
    assert len(bases) == 1 and re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", bases[0]), bases
    cmds = [args for word, args in steps if word == "CMD"]
    assert len(cmds) == 1, "one CMD"
    cmd = exec_form(cmds[0])
    readme = readme_app_command()
    assert cmd[: len(readme)] == readme == ["streamlit", "run", "app.py"]
    flags = dict(f.lstrip("-").split("=", 1) for f in cmd[len(readme):])
    assert flags["server.address"] == "0.0.0.0"
    assert flags["server.port"] == "8501"
    assert flags["server.headless"] == "true"
    assert flags["browser.gatherUsageStats"] == "false"
    assert not [w for w, _ in steps if w == "ENTRYPOINT"], "the CMD alone starts the app"
    assert ("EXPOSE", "8501") in steps


def test_image_runs_as_an_unprivileged_user_with_a_healthcheck():
    steps = dockerfile()
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0"), users
    last_user = max(i for i, (w, _) in enumerate(steps) if w == "USER")
    assert all(w not in ("RUN", "COPY") for w, _ in steps[last_user:]), "nothing runs after USER as root"
    assert "CMD" in [w for w, _ in steps[last_user:]]
    health = [args for word, args in steps if word == "HEALTHCHECK"]
    assert len(health) == 1 and "/_stcore/health" in health[0] and "--timeout=" in health[0]
    env = " ".join(args for word, args in steps if word == "ENV")
    assert "PIP_NO_CACHE_DIR=1" in env and "OPENBLAS_NUM_THREADS=1" in env


def test_dockerignore_keeps_tests_caches_and_git_out():
    lines = {ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")}
    for needed in (".git", "tests", "bench", "**/__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis"):
        assert needed in lines, f".dockerignore must exclude {needed}"
    # and nothing the app needs
    for needed in ("app.py", "views", "ui", "convexnn", "docs", "assets", "static", ".streamlit",
                   "requirements.txt"):
        assert needed not in lines, f".dockerignore must not exclude {needed}"
    assert (ROOT / "views").is_dir() and (ROOT / "ui" / "__init__.py").is_file()


def test_streamlit_config_limits_uploads_and_keeps_xsrf_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server = config["server"]
    assert server["enableXsrfProtection"] is True
    assert server.get("enableCORS", True) is True
    assert server["scriptHealthCheckEnabled"] is False  # nobody runs the script without a session
    assert 1 <= server["maxUploadSize"] <= 64  # the Real data page's feature files
    from ui import schema

    assert schema.MAX_UPLOAD_MB <= 10 and schema.MAX_FEATURE_UPLOAD_MB == server["maxUploadSize"]
    assert server["headless"] is True
    assert server["enableStaticServing"] is True  # static/: plotly.js's cartesian bundle (ui/plot.py)
    assert config["browser"]["gatherUsageStats"] is False


def test_readme_docker_lines_match_the_image():
    readme = (ROOT / "README.md").read_text()
    assert README_RUN in readme
    tag = re.search(r"docker build -t (\S+) \.", README_RUN).group(1)
    port = re.search(r"-p (\d+):(\d+)", README_RUN)
    assert port.group(2) == "8501" and ("EXPOSE", port.group(2)) in dockerfile()
    assert tag == "convexnn"


# --------------------------------------------------------------------------------------------
# Build and run, where a daemon is reachable
# --------------------------------------------------------------------------------------------


def docker_available() -> str | None:
    """Why Docker cannot be used here, or None when ``docker info`` answers."""
    docker = shutil.which("docker")
    if docker is None:
        return "the docker command is not installed"
    try:
        result = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"], capture_output=True,
                                text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return "`docker info` did not answer within 20 s"
    if result.returncode != 0:
        return "no Docker daemon is reachable (`docker info` failed: " + \
            (result.stderr.strip().splitlines() or ["no message"])[-1][:160] + ")"
    return None


NO_INDEX = ("Temporary failure in name resolution", "Failed to establish a new connection",
            "Network is unreachable", "Max retries exceeded", "ProxyError", "No matching distribution found",
            "Could not find a version that satisfies", "Connection refused", "Name or service not known")
NO_BASE_IMAGE = ("pull access denied", "failed to resolve source metadata", "failed to do request",
                 "TLS handshake timeout", "i/o timeout")


def build_blocked(output: str) -> str | None:
    """Why a failed ``docker build`` could not have succeeded here (no package index or no base
    image reachable from the build), or None when it failed for another reason (a real failure)."""
    for marker in NO_INDEX:
        if marker in output:
            return f"pip inside the build cannot reach a package index ({marker!r})"
    for marker in NO_BASE_IMAGE:
        if marker in output:
            return f"the base image cannot be pulled ({marker!r})"
    return None


def fetch(url: str, timeout: float = 5.0) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def docker():
    reason = docker_available()
    if reason is not None:
        pytest.skip(f"Docker build+run test skipped: {reason}. The Dockerfile is still linted "
                    "and checked by the parity tests.")
    return shutil.which("docker")


def test_image_builds_and_serves_the_app(docker):
    """`docker build` then `docker run -p <free port>:8501`: health answers, the home page renders."""
    tag = f"convexnn-test:{uuid.uuid4().hex[:8]}"
    name = f"convexnn-test-{uuid.uuid4().hex[:8]}"
    build = subprocess.run([docker, "build", "-t", tag, "."], cwd=ROOT, capture_output=True, text=True,
                           timeout=BUILD_TIMEOUT)
    if build.returncode != 0:
        blocked = build_blocked(build.stdout + build.stderr)
        if blocked is not None:
            pytest.skip(f"Docker build skipped: {blocked}; the Dockerfile is still linted and checked.")
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    port = free_port()
    try:
        run = subprocess.run([docker, "run", "-d", "--rm", "--name", name,
                              "-p", f"127.0.0.1:{port}:8501", tag], capture_output=True, text=True,
                             timeout=60)
        assert run.returncode == 0, run.stderr
        url = f"http://127.0.0.1:{port}"
        deadline, health = time.monotonic() + START_TIMEOUT, ""
        while time.monotonic() < deadline:
            try:
                health = fetch(f"{url}/_stcore/health").strip()
                if health == "ok":
                    break
            except OSError:
                pass
            time.sleep(1)
        logs = subprocess.run([docker, "logs", name], capture_output=True, text=True, timeout=30)
        assert health == "ok", (f"no health answer after {START_TIMEOUT} s\n"
                                f"{logs.stdout[-2000:]}{logs.stderr[-2000:]}")
        home = fetch(url)
        assert "<title>" in home.lower() or "streamlit" in home.lower()
        assert 'id="root"' in home  # the Streamlit shell that renders the pages
        user = subprocess.run([docker, "exec", name, "id", "-u"], capture_output=True, text=True, timeout=30)
        assert user.stdout.strip() == "10001"
        for absent in ("tests", ".git", "bench"):
            check = subprocess.run([docker, "exec", name, "test", "-e", f"/app/{absent}"], timeout=30)
            assert check.returncode != 0, f"/app/{absent} is in the image"
        inspect = subprocess.run([docker, "inspect", "--format", "{{json .State.Health}}", name],
                                 capture_output=True, text=True, timeout=30)
        assert inspect.returncode == 0 and "Status" in inspect.stdout
    finally:
        subprocess.run([docker, "rm", "-f", name], capture_output=True, timeout=60)
        subprocess.run([docker, "rmi", "-f", tag], capture_output=True, timeout=120)


def test_a_build_without_a_package_index_is_a_skip_reason_not_a_failure():
    pip = ("WARNING: Retrying (Retry(total=4)) after connection broken by 'NewConnectionError(': Failed to "
           "establish a new connection: [Errno -3] Temporary failure in name resolution')'\nERROR: No "
           "matching distribution found for numpy==2.4.0")
    assert "package index" in build_blocked(pip)
    assert "base image" in build_blocked("ERROR: pull access denied for python, repository does not exist")
    assert build_blocked("SyntaxError: invalid syntax\nERROR: process did not complete successfully") is None


def test_docker_probe_explains_why_it_skips(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert docker_available() == "the docker command is not installed"
