"""The first visit of each page on a fresh server: wall time to a settled view, split.

For each page listed in app.py (or ``--pages``), a fresh ``streamlit run app.py`` is started, the
page is opened by its link in Debian Chromium as the server's first visitor, and the script prints:

- ``healthy s``: server start to ``/_stcore/health`` answering (Python start + Streamlit import);
- ``shown s`` / ``settled s``: from the navigation's start to the page's main element visible / to a
  settled view (the app's script last became idle, main element visible), wall time read by an
  in-page clock (``start_clock`` in tests/browser/test_browser_first_visit.py);
- ``server CPU s``: CPU seconds (user + system, all threads) the server process and the processes it
  started (joblib workers) spent between the first request and the settled view; the server's start
  ran the default page, and the warm-up is limited to it (``CONVEXNN_WARM_UP_PAGES=/``, as in
  tests/browser/test_browser_first_visit.py) so that the visited page computes its own view;
  ``--no-warm-up`` starts servers with no warm-up at all;
- ``sent kB``: what the server sent over the websocket (the page's elements and figures);
- ``browser CPU s``: the same for Chromium (every process of it) and Playwright's driver;
- ``load``: the 1-minute load average before the visit and after it.

``--split`` adds, per page, one fresh Python process that imports what the app imports and runs the
page once through Streamlit's AppTest (after the default page, with the caches cleared) with a
sampling profiler on the script thread: CPU seconds of the imports (streamlit, plotly, cvxpy,
convexnn, ui), and the script's run split into computation (convexnn outside figures,
numpy/scipy/cvxpy), figure building (convexnn.figures, plotly) and Streamlit's own work
(serialising, widgets). What the browser adds (plotly.js, rendering) is roughly ``settled s`` minus
the server's part.

    python bench/firstview.py                       # every page, about 15 fresh servers
    python bench/firstview.py --pages adamw,home     # some pages ("" or "playground" for /)
    python bench/firstview.py --split --pages adamw  # with the split
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "browser")]


def _cpu(process) -> float:
    """CPU seconds (user + system, every thread) of one process so far; 0 once it is gone."""
    import psutil

    try:
        times = process.cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


def server_cpu(pid: int) -> float:
    """CPU seconds so far of the server process and of the processes it started (e.g. joblib's
    workers; a worker that has exited no longer counts)."""
    import psutil

    server = psutil.Process(pid)
    return _cpu(server) + sum(_cpu(child) for child in server.children(recursive=True))


def browser_cpu(server_pid: int) -> float:
    """CPU seconds so far of this script's other child processes (Playwright's driver and Chromium),
    not the server's own processes."""
    import psutil

    server = {server_pid} | {c.pid for c in psutil.Process(server_pid).children(recursive=True)}
    return sum(_cpu(child) for child in psutil.Process().children(recursive=True) if child.pid not in server)


def visit(page, path: str, no_warm_up: bool) -> dict:
    """Start a fresh server, open ``path`` as its first visitor, return the timings."""
    from conftest import free_port, wait_healthy
    from test_browser_first_visit import open_settled

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.setdefault("CONVEXNN_WARM_UP_PAGES", "/")  # as the test: the visited page computes its view
    if no_warm_up:
        env["CONVEXNN_WARM_UP"] = "0"
    log = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, proc, 60)
        healthy = time.monotonic() - t0
        load_before = os.getloadavg()[0]
        cpu0, browser0 = server_cpu(proc.pid), browser_cpu(proc.pid)
        received = [0]

        def count(frame) -> None:
            received[0] += len(frame) if isinstance(frame, (bytes, str)) else 0

        page.on("websocket", lambda ws: ws.on("framereceived", count))
        settled, shown = open_settled(page, url, path)
        cpu, browser = server_cpu(proc.pid) - cpu0, browser_cpu(proc.pid) - browser0
        errors = page.get_by_test_id("stException").count()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    return {"healthy": healthy, "shown": shown, "settled": settled, "cpu": cpu, "browser": browser,
            "sent_kb": received[0] / 1e3, "load": (load_before, os.getloadavg()[0]), "errors": errors}


SPLIT_CHILD = r"""
import json, sys, threading, time, collections
sys.path.insert(0, sys.argv[1])
from threadpoolctl import threadpool_limits
threadpool_limits(1)
imports = {}
for name in ("streamlit", "plotly.graph_objects", "cvxpy", "convexnn", "ui"):
    t = time.process_time(); __import__(name); imports[name] = time.process_time() - t
import plotly.graph_objects as go
t = time.process_time()
go.Figure(go.Scatter(x=[0], y=[0])).to_json()
imports["plotly first figure"] = time.process_time() - t
import os
os.environ["CONVEXNN_WARM_UP"] = "0"
from streamlit.testing.v1 import AppTest
view = sys.argv[2]
samples = collections.Counter()
done = threading.Event()
main = {}

def bucket(frame):
    kind = "streamlit/other"
    while frame is not None:
        f = frame.f_code.co_filename
        if "/convexnn/figures/" in f or "/plotly/" in f or "/ui/charts" in f:
            return "figures"
        if any(part in f for part in ("/convexnn/", "/cvxpy/", "/scipy/", "/clarabel", "/sklearn/")):
            kind = "compute"
        frame = frame.f_back
    return kind

def sampler():
    while not done.is_set():
        for ident, frame in sys._current_frames().items():
            if ident != main["id"] and ident != threading.get_ident():
                name = next((t.name for t in threading.enumerate() if t.ident == ident), "")
                if name.startswith("ScriptRunner") or "script" in name.lower():
                    samples[bucket(frame)] += 1
        time.sleep(0.005)

main["id"] = threading.get_ident()
at = AppTest.from_file("app.py", default_timeout=600)
if view != "views/playground.py":  # a page is reached by switching from the default one
    at.run()
    at.switch_page(view)
    import streamlit as st
    st.cache_data.clear()
    st.cache_resource.clear()
threading.Thread(target=sampler, daemon=True).start()
t = time.process_time(); w = time.perf_counter()
at.run()
run_cpu, run_wall = time.process_time() - t, time.perf_counter() - w
done.set()
total = sum(samples.values()) or 1
split = {k: run_cpu * v / total for k, v in samples.items()}
titles = [t.value for t in at.title]
print(json.dumps({"imports": imports, "run_cpu": run_cpu, "run_wall": run_wall, "split": split,
                  "exceptions": len(at.exception), "title": titles[0] if titles else ""}))
"""


def split(view: str) -> dict:
    """Import and run-time split of one page in a fresh process (see the module docstring)."""
    out = subprocess.run([sys.executable, "-c", SPLIT_CHILD, str(ROOT), view], cwd=ROOT,
                         capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                         timeout=900)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": out.stderr[-500:]}
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="", help="comma-separated url paths (default: all)")
    parser.add_argument("--split", action="store_true", help="also split each page's server time")
    parser.add_argument("--no-warm-up", action="store_true", help="start servers without the warm-up")
    args = parser.parse_args()
    import re

    from conftest import CHROMIUM_ARGS, require_chromium
    from playwright.sync_api import sync_playwright
    from test_browser_first_visit import PAGES

    text = (ROOT / "app.py").read_text()
    files = dict(zip((p for _, p in PAGES), re.findall(r'st\.Page\("(views/\w+\.py)"', text), strict=True))
    wanted = [w.strip() for w in args.pages.split(",")] if args.pages else None
    if wanted is not None:
        wanted = ["" if w == "playground" else w for w in wanted]
    pages = [(t, p) for t, p in PAGES if wanted is None or p in wanted]
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        for title, path in pages:
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            row = visit(context.new_page(), path, args.no_warm_up)
            context.close()
            if args.split:
                row["split"] = split(files[path])
            rows.append((title, row))
            print(f"{title:<20} {json.dumps(row)}", file=sys.stderr, flush=True)
        browser.close()
    print(f"\nfirst visit, fresh server per page, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
          f"{' (no warm-up)' if args.no_warm_up else ''}")
    print("| page | healthy s | shown s | settled s | server CPU s | browser CPU s | sent kB "
          "| load before/after |")
    print("|---|---|---|---|---|---|---|---|")
    for title, r in rows:
        print(f"| {title} | {r['healthy']:.1f} | {r['shown']:.1f} | {r['settled']:.1f} | {r['cpu']:.1f} "
              f"| {r['browser']:.1f} | {r['sent_kb']:.0f} | {r['load'][0]:.2f} / {r['load'][1]:.2f} |")
    if args.split:
        print("\n| page | import streamlit/plotly/cvxpy/convexnn/ui CPU s | run CPU s | compute | figures "
              "| streamlit+other |")
        print("|---|---|---|---|---|---|")
        for title, r in rows:
            s = r["split"]
            if "error" in s:
                print(f"| {title} | error: {s['error'][-120:]!r} |")
                continue
            imp = "/".join(f"{v:.2f}" for k, v in s["imports"].items() if k != "plotly first figure")
            sp = s["split"]
            print(f"| {title} | {imp} | {s['run_cpu']:.2f} | {sp.get('compute', 0):.2f} "
                  f"| {sp.get('figures', 0):.2f} | {sp.get('streamlit/other', 0):.2f} |")


if __name__ == "__main__":
    main()
