"""Load: many browser sessions on one Streamlit server, each with its own data set.

Usage (prints a table of time-to-result per session count):

    python bench/load.py                 # 1, 5 and 10 concurrent sessions on a fresh server
    python bench/load.py --sessions 1 3  # other counts
    python bench/load.py --url http://127.0.0.1:8501   # an already running server
    python bench/load.py --hall 30       # a lecture hall: 30 sessions open the same link at once
    python bench/load.py --hall 30 --client ws   # the same with light websocket clients (no browsers)
    python bench/load.py --hall 30 --client ws --option runner.postScriptGC=false   # a Streamlit option

The lecture hall compares the server's CPU time for one session opening a link (nothing cached)
with 30 sessions opening another link of the same cost at the same moment: with the shared cache
(``st.cache_data`` computes a value once while the other sessions wait for it) the solve runs once,
and the rest is each session's own page run. It reports errors, time to result and the server's
peak RSS (its VmHWM, reset before each measurement).

Each session is a fresh browser context (Debian Chromium, headless) that opens the Global
optimum page with its own data set in the URL (preset, size, noise, seed, beta); the time to
result runs from the navigation until the page shows the solved objective. Every session's
objective is checked against a solve in this process (so a state leak between sessions would
show) and its page must have no exception element. The server's resident memory is read from
/proc before and after. tests/browser/test_load.py runs the same code (a short form in CI).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RESULT_TIMEOUT = 180.0  # seconds for one session's result on a loaded machine
PAGE = "optimum"

# Ten different data sets (preset, n, noise, seed, beta): small enough to solve in about a second.
SPECS = [
    ("moons", 40, 0.1, 1, 0.1),
    ("circles", 36, 0.05, 2, 0.05),
    ("xor", 30, 0.0, 3, 0.2),
    ("gaussians", 40, 0.3, 4, 0.5),
    ("linear", 32, 0.0, 5, 0.1),
    ("moons", 30, 0.15, 6, 0.02),
    ("sine", 20, 0.05, 7, 0.01),
    ("abs", 24, 0.02, 8, 0.05),
    ("spiral", 30, 0.0, 9, 0.05),
    ("circles", 40, 0.1, 10, 0.3),
]


@dataclass
class Session:
    spec: tuple
    expected: float
    objective: float | None = None
    seconds: float | None = None
    summary: str = ""
    exceptions: int = 0
    error: str = ""
    solved: str = ""
    """The solve's status label ("Solved in 0.21 s: 13 neurons, ..."): the same text in two sessions
    with the same settings means the second was served from the cross-session cache."""

    @property
    def ok(self) -> bool:
        return (not self.error and self.exceptions == 0 and self.objective is not None
                and abs(self.objective - self.expected) <= 1e-5 * max(abs(self.expected), 1e-9))


def session_url(base: str, spec: tuple) -> str:
    preset, n, noise, seed, beta = spec
    query = urllib.parse.urlencode({"preset": preset, "n": n, "noise": noise, "seed": seed, "beta": beta})
    return f"{base}/{PAGE}?{query}"


def expected_objective(spec: tuple) -> float:
    """The objective the page must show, computed here as app_solve.solve computes it."""
    sys.path.insert(0, str(ROOT))
    import convexnn as cn
    from convexnn import datasets as ds

    preset, n, noise, seed, beta = spec
    data = ds.generate(preset, n, noise, seed)
    cones = cn.prepare_patterns(data.X, "exact")
    fit = cn.fit_convex(data.X, data.y, beta, loss="squared", relu="exact", solver="fast", cones=cones,
                        time_limit=90.0)
    return float(fit.objective)


async def _one(browser, base: str, session: Session, start: asyncio.Event) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(RESULT_TIMEOUT * 1000)  # a rerun may redraw a metric while it is read
    try:
        page = await context.new_page()
        await start.wait()
        t0 = time.perf_counter()
        await page.goto(session_url(base, session.spec), wait_until="commit")
        metric = page.get_by_test_id("stMetric").filter(has_text="Objective").get_by_test_id("stMetricValue")
        await metric.wait_for(state="visible", timeout=RESULT_TIMEOUT * 1000)
        session.seconds = time.perf_counter() - t0
        text = (await metric.inner_text()).strip()
        session.objective = float(text)
        await page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=RESULT_TIMEOUT * 1000)
        sidebar = page.get_by_test_id("stSidebar")
        session.summary = await sidebar.get_by_text(re.compile(r"\d+ points")).inner_text()
        session.exceptions = await page.get_by_test_id("stException").count()
        solved = page.get_by_text(re.compile(r"^Solved in [\d.]+ s")).first
        session.solved = (await solved.inner_text()).strip()
    except Exception as exc:  # recorded and reported by the caller
        session.error = f"{type(exc).__name__}: {str(exc)[:300]}"
        if os.environ.get("CONVEXNN_LOAD_SHOTS"):
            shot = Path(os.environ["CONVEXNN_LOAD_SHOTS"]) / f"load-{session.spec[0]}-{session.spec[3]}.png"
            await page.screenshot(path=str(shot), full_page=True)
            session.error += f" (screenshot {shot})"
    finally:
        await context.close()


async def _run(base: str, sessions: list[Session], executable: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            start = asyncio.Event()
            tasks = [asyncio.create_task(_one(browser, base, s, start)) for s in sessions]
            await asyncio.sleep(0.5)  # contexts and pages open, then every session navigates at once
            start.set()
            await asyncio.gather(*tasks)
        finally:
            await browser.close()


def run_sessions(base: str, specs: list[tuple], executable: str = CHROMIUM,
                 expected: dict | None = None) -> list[Session]:
    """Open ``len(specs)`` concurrent sessions on the server at ``base``; return what each saw.

    Runs in a thread of its own, so it works beside the Playwright sync API of pytest.
    """
    expected = expected or {}
    sessions = [Session(spec, expected[spec] if spec in expected else expected_objective(spec))
                for spec in specs]
    errors: list[BaseException] = []

    def target():
        try:
            asyncio.run(_run(base, sessions, executable))
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target, name="load-sessions")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return sessions


# --------------------------------------------------------------------------------------------
# A light client: Streamlit's own protocol over a websocket, no browser
# --------------------------------------------------------------------------------------------


async def _one_ws(port: int, session: Session, start: asyncio.Event) -> None:
    """One session as the browser's first message starts it (a ``rerun_script`` with the page
    and the link's query string); reads the page's elements until its script run finishes.

    The server does all it does for a browser (runs the page, serializes every element and
    figure); only the client's rendering is left out, so 30 sessions fit on a small machine."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    preset, n, noise, seed, beta = session.spec
    query = urllib.parse.urlencode({"preset": preset, "n": n, "noise": noise, "seed": seed, "beta": beta})
    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                      max_size=None, open_timeout=RESULT_TIMEOUT) as ws:
            msg = BackMsg()
            msg.rerun_script.query_string = query
            msg.rerun_script.page_name = PAGE
            await start.wait()
            t0 = time.perf_counter()
            await ws.send(msg.SerializeToString())
            while True:
                fwd = ForwardMsg()
                fwd.ParseFromString(await asyncio.wait_for(ws.recv(), RESULT_TIMEOUT))
                kind = fwd.WhichOneof("type")
                if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                    element = fwd.delta.new_element
                    if element.WhichOneof("type") == "exception":
                        session.exceptions += 1
                    elif element.WhichOneof("type") == "metric" and element.metric.label == "Objective":
                        session.objective = float(element.metric.body)
                    elif element.WhichOneof("type") == "markdown" and "points" in element.markdown.body:
                        session.summary = session.summary or element.markdown.body
                if kind == "script_finished" and (session.objective is not None or session.exceptions):
                    session.seconds = time.perf_counter() - t0
                    break
    except Exception as exc:  # recorded and reported by the caller
        session.error = f"{type(exc).__name__}: {str(exc)[:300]}"


def run_ws_sessions(base: str, specs: list[tuple], expected: dict | None = None) -> list[Session]:
    """Like :func:`run_sessions`, with the light websocket client instead of browsers."""
    expected = expected or {}
    port = urllib.parse.urlparse(base).port
    sessions = [Session(spec, expected[spec] if spec in expected else expected_objective(spec))
                for spec in specs]

    async def run():
        start = asyncio.Event()
        tasks = [asyncio.create_task(_one_ws(port, s, start)) for s in sessions]
        await asyncio.sleep(0.5)
        start.set()
        await asyncio.gather(*tasks)

    asyncio.run(run())
    return sessions


# --------------------------------------------------------------------------------------------
# The server and its memory
# --------------------------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB), from /proc."""
    total = 0
    for p in [pid, *child_pids(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far (seconds), from /proc."""
    total = 0
    for p in [pid, *child_pids(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    out = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            children = (task / "children").read_text().split()
            for c in children:
                out += [int(c), *child_pids(int(c))]
    except OSError:
        pass
    return out


def listening_pid(port: int) -> int | None:
    """The pid of the process listening on 127.0.0.1:port (via /proc/net/tcp and /proc/*/fd)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if int(parts[1].rsplit(":", 1)[1], 16) == port and parts[3] == "0A":  # LISTEN
                inodes.add(parts[9])
    if not inodes:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return int(proc.name)
        except OSError:
            continue
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log, options: list[str] = ()) -> subprocess.Popen:
    """A Streamlit server of this checkout on 127.0.0.1:``port`` (``options``: extra command-line
    options), once its health check answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", *options], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc
        except OSError:
            time.sleep(0.25)
    proc.terminate()
    raise RuntimeError("streamlit did not become healthy within 60 s")


def reset_peak_rss(pid: int) -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) of ``pid`` (we started it); False if not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb(pid: int) -> float:
    """The peak resident memory (VmHWM, MB) of ``pid`` since it started or since :func:`reset_peak_rss`."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolation percentile (q in [0, 100]) of a non-empty list."""
    xs = sorted(values)
    if len(xs) == 1:
        return xs[0]
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def summary_row(count: int, sessions: list[Session], rss_before: float, rss_after: float,
                cpu: float = float("nan")) -> dict:
    times = [s.seconds for s in sessions if s.seconds is not None]
    return {"sessions": count, "ok": sum(s.ok for s in sessions), "cpu": cpu,
            "p50": percentile(times, 50) if times else float("nan"),
            "p95": percentile(times, 95) if times else float("nan"),
            "max": max(times) if times else float("nan"), "rss_before": rss_before, "rss_after": rss_after}


def table(rows: list[dict]) -> str:
    lines = ["| sessions | correct | p50 time to result | p95 | slowest | server CPU per session "
             "| server RSS before → after |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['sessions']} | {r['ok']}/{r['sessions']} | {r['p50']:.1f} s | {r['p95']:.1f} s | "
                     f"{r['max']:.1f} s | {r['cpu'] / r['sessions']:.1f} s | "
                     f"{r['rss_before']:.0f} → {r['rss_after']:.0f} MB |")
    return "\n".join(lines)


# Two links of the same cost (same preset and size, other seeds): one opened by one session, the
# other by the whole hall, so neither finds the other's result in the cache.
HALL_SPECS = (("moons", 40, 0.1, 21, 0.1), ("moons", 40, 0.1, 22, 0.1))


def lecture_hall(base: str, pid: int | None, count: int, executable: str = CHROMIUM,
                 client: str = "browser") -> dict:
    """One session on HALL_SPECS[0], then ``count`` sessions at once on HALL_SPECS[1] (uncached).

    ``client``: "browser" (Chromium contexts) or "ws" (:func:`run_ws_sessions`). Returns server
    CPU seconds of each run, their ratio, errors, times and peak/after RSS.
    """
    expected = {spec: expected_objective(spec) for spec in HALL_SPECS}
    out: dict = {"sessions": count}
    for label, spec, n in (("one", HALL_SPECS[0], 1), ("hall", HALL_SPECS[1], count)):
        rss0 = rss_mb(pid) if pid else float("nan")
        if pid:
            reset_peak_rss(pid)
        cpu0 = cpu_seconds(pid) if pid else float("nan")
        sessions = (run_ws_sessions(base, [spec] * n, expected) if client == "ws"
                    else run_sessions(base, [spec] * n, executable, expected))
        times = [s.seconds for s in sessions if s.seconds is not None]
        out[label] = {
            "cpu": (cpu_seconds(pid) - cpu0) if pid else float("nan"),
            "ok": sum(s.ok for s in sessions), "n": n,
            "errors": [s.error or f"objective {s.objective}, {s.exceptions} exceptions"
                       for s in sessions if not s.ok],
            "p50": percentile(times, 50) if times else float("nan"),
            "p95": percentile(times, 95) if times else float("nan"),
            "rss_before": rss0, "peak": peak_rss_mb(pid) if pid else float("nan"),
            "rss_after": rss_mb(pid) if pid else float("nan"),
            "solved": sorted({s.solved for s in sessions}),
        }
    out["ratio"] = out["hall"]["cpu"] / out["one"]["cpu"] if out["one"]["cpu"] else float("nan")
    return out


def hall_table(r: dict) -> str:
    lines = ["| link opened by | correct | server CPU | CPU / one session's | p50 time to result | p95 | "
             "server RSS before → peak → after |", "|---|---:|---:|---:|---:|---:|---:|"]
    for label in ("one", "hall"):
        x = r[label]
        who = f"{x['n']} session{'s' if x['n'] > 1 else ''}"
        lines.append(f"| {who} | {x['ok']}/{x['n']} | {x['cpu']:.1f} s | "
                     f"{x['cpu'] / r['one']['cpu']:.1f}x | {x['p50']:.1f} s | {x['p95']:.1f} s | "
                     f"{x['rss_before']:.0f} → {x['peak']:.0f} → {x['rss_after']:.0f} MB |")
    return "\n".join(lines)


@contextlib.contextmanager
def server(url: str | None = None, options: list[str] = ()):
    """``(base, pid)`` of the server to load: the running one at ``url`` (its pid found from its
    port, None if not ours to read), or a fresh one from this checkout (``options``: extra
    ``--name value`` Streamlit options), ended by its pid on exit."""
    if url:
        base = url.rstrip("/")
        yield base, listening_pid(urllib.parse.urlparse(base).port or 80)
        return
    with open(os.devnull, "w") as log:
        port = free_port()
        proc = start_server(port, log, options)
        try:
            yield f"http://127.0.0.1:{port}", proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def streamlit_options(pairs: list[str]) -> list[str]:
    """``["runner.postScriptGC=false"]`` -> ``["--runner.postScriptGC", "false"]``."""
    out = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"a Streamlit option is name=value, not {pair!r}")
        out += [f"--{name}", value]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--url", help="use this running server instead of starting one")
    parser.add_argument("--chromium", default=CHROMIUM)
    parser.add_argument("--hall", type=int, metavar="N",
                        help="instead: N sessions opening the same link at once against one session")
    parser.add_argument("--client", choices=("browser", "ws"), default="browser",
                        help="hall sessions as Chromium pages or as light websocket clients")
    parser.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                        help="a Streamlit option for the server started here, e.g. runner.postScriptGC=false")
    args = parser.parse_args(argv)
    try:
        options = streamlit_options(args.option)
    except ValueError as exc:
        parser.error(str(exc))
    if not args.hall and max(args.sessions) > len(SPECS):
        parser.error(f"at most {len(SPECS)} sessions (one data set each)")
    with server(args.url, options) as (base, pid):
        return _main_hall(args, base, pid) if args.hall else _main_sessions(args, base, pid)


def _main_sessions(args, base: str, pid: int | None) -> int:
    print("computing the expected objectives…", flush=True)
    expected = {spec: expected_objective(spec) for spec in SPECS[: max(args.sessions)]}
    run_sessions(base, SPECS[:1], args.chromium, expected)  # warm-up: imports, first compile
    rows, failures = [], 0
    for count in args.sessions:
        before = rss_mb(pid) if pid else float("nan")
        cpu0 = cpu_seconds(pid) if pid else float("nan")
        sessions = run_sessions(base, SPECS[:count], args.chromium, expected)
        cpu = cpu_seconds(pid) - cpu0 if pid else float("nan")
        after = rss_mb(pid) if pid else float("nan")
        rows.append(summary_row(count, sessions, before, after, cpu))
        for s in sessions:
            if not s.ok:
                failures += 1
                print(f"  session {s.spec}: objective {s.objective} (expected {s.expected:.6g}), "
                      f"{s.exceptions} exceptions {s.error}", flush=True)
        print(f"{count} sessions: p50 {rows[-1]['p50']:.1f} s, p95 {rows[-1]['p95']:.1f} s", flush=True)
    print()
    print(table(rows))
    return 1 if failures else 0


def _main_hall(args, base: str, pid: int | None) -> int:
    if args.client == "ws":  # warm-up: imports, first compile
        run_ws_sessions(base, SPECS[:1])
    else:
        run_sessions(base, SPECS[:1], args.chromium)
    r = lecture_hall(base, pid, args.hall, args.chromium, args.client)
    print(f"client: {args.client}" + (f", server options {' '.join(args.option)}" if args.option else ""))
    for label in ("one", "hall"):
        for e in r[label]["errors"]:
            print(f"  {label}: {e}", flush=True)
        print(f"  {label}: status labels {r[label]['solved']}", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}\n")
    print(hall_table(r))
    return 1 if r["one"]["errors"] or r["hall"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
