"""Hostile input against a running app: the probes of issue 17, one table row each.

Usage (starts a server from this checkout, prints a Markdown table):

    python bench/hostile.py
    python bench/hostile.py --only npz json   # probes whose name contains a word
    python bench/hostile.py --url http://127.0.0.1:8501

Each probe opens a fresh browser session (Debian Chromium, headless) and does what a hostile or
careless user would: a bad link value, a 435 kB link whose ``pts`` value is a zlib bomb, a 3.1 MB
.npz of 400,000 x 1,000 zeros, a 928-byte .npy whose header claims 10^13 numbers, network JSON
files of 20,000 and 600,000 neurons, a CSV whose labels hold Markdown. It records what the page
shows (the first message, or the exception), whether the session is still alive (the sidebar
answers, no exception element) and the server's peak RSS during the probe: the kernel's VmHWM of
the server process, reset before each probe (``/proc/<pid>/clear_refs``), minus its RSS before.
The generated files are cached in ``/tmp/convexnn-hostile``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import importlib.util
import io
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib import format as npformat

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_load", HERE / "load.py")
load = importlib.util.module_from_spec(_spec)
sys.modules["bench_load"] = load
_spec.loader.exec_module(load)

FILES = Path("/tmp/convexnn-hostile")
SETTLE_TIMEOUT = 180.0


# --------------------------------------------------------------------------------------------
# The hostile inputs
# --------------------------------------------------------------------------------------------


def pts_bomb(target_chars: int = 435_000) -> str:
    """A ``pts`` value of about ``target_chars`` characters: a valid point-codec header followed
    by zeros, deflated (about 1,000:1), so it inflates to ~0.3 GB."""
    header = bytes([1, 2, 0, 0]) + (40).to_bytes(2, "little")
    zeros = target_chars * 3 // 4 * 1020
    comp = zlib.compressobj(9)
    parts = [comp.compress(header)]
    chunk = bytes(1 << 20)
    for _ in range(zeros >> 20):
        parts.append(comp.compress(chunk))
    parts.append(comp.flush())
    return base64.urlsafe_b64encode(b"".join(parts)).rstrip(b"=").decode("ascii")


def npz_bomb(path: Path, rows: int = 400_000, cols: int = 1_000) -> Path:
    """A real .npz (what ``np.savez_compressed`` writes) of a rows x cols float64 zero matrix and
    its labels, written in 8 MB chunks (3.2 GB of zeros deflate to about 3.1 MB)."""
    if path.exists():
        return path
    tmp = path.with_suffix(".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("X.npy", "w", force_zip64=True) as member:
            head = io.BytesIO()
            npformat.write_array_header_1_0(head, {"descr": "<f8", "fortran_order": False,
                                                   "shape": (rows, cols)})
            member.write(head.getvalue())
            chunk = bytes(8 << 20)
            left = rows * cols * 8
            while left > 0:
                member.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
        labels = io.BytesIO()
        np.save(labels, np.arange(rows) % 2)
        archive.writestr("y.npy", labels.getvalue())
    tmp.rename(path)
    return path


def npy_claim(path: Path) -> Path:
    """A 928-byte .npy whose header claims shape (10^13,) (float64: 72.8 TiB)."""
    head = io.BytesIO()
    npformat.write_array_header_1_0(head, {"descr": "<f8", "fortran_order": False, "shape": (10**13,)})
    raw = head.getvalue()
    path.write_bytes(raw + bytes(928 - len(raw)))
    return path


def network_json(path: Path, width: int, short: bool) -> Path:
    """A 2-D network file of ``width`` neurons: zeros ("0", 4.8 MB at 600,000) or random weights
    rounded to two decimals."""
    if short:
        zeros = ",".join(["0"] * width)
        text = (f'{{"format": "convexnn.relu_network.v1", "activation": "relu", '
                f'"W1": [[{zeros}], [{zeros}]], "b1": [{zeros}], "w2": [{zeros}], "intercept": 0}}')
    else:
        rng = np.random.default_rng(0)
        W1, b1, w2 = (np.round(rng.standard_normal(s), 2).tolist() for s in ((2, width), width, width))
        text = json.dumps({"format": "convexnn.relu_network.v1", "activation": "relu", "W1": W1, "b1": b1,
                           "w2": w2, "intercept": 0.0}, separators=(",", ":"))
    path.write_text(text)
    return path


def markdown_csv(path: Path, port: int) -> Path:
    """A CSV whose labels are a Markdown image and a link to this machine (must stay text)."""
    img = f"![i](http://127.0.0.1:{port}/hostile-probe.png)"
    rows = [f"{i % 3},{(i * 7) % 5},{img if i % 2 else '[x](http://example.invalid)'}" for i in range(40)]
    path.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    return path


@dataclass
class Probe:
    name: str
    path: str  # page path and query
    upload: Path | None = None
    choose: str | None = None  # a radio option to click before uploading
    fixed_by: str = "hostile"  # the branch whose change answers it
    sessions: int = 0  # > 0: sent by this many websocket clients at once (what a browser sends)


def probes(port: int) -> list[Probe]:
    FILES.mkdir(exist_ok=True)
    bomb = pts_bomb()
    return [
        Probe("link ?n=inf", "/?n=inf", fixed_by="ui"),
        Probe("link ?n=1e999", "/?n=1e999", fixed_by="ui"),
        Probe("link ?seed=inf", "/?seed=inf", fixed_by="ui"),
        Probe("link ?seed=99999999999999999999", "/?seed=99999999999999999999", fixed_by="ui"),
        Probe(f"link ?pts= zlib bomb ({len(bomb) / 1000:.0f} kB), in a browser", "/?pts=" + bomb,
              fixed_by="ui"),
        Probe("the same ?pts= over the websocket, 1 session", "pts=" + bomb, fixed_by="ui", sessions=1),
        Probe("the same ?pts= over the websocket, 10 sessions at once", "pts=" + bomb, fixed_by="ui",
              sessions=10),
        Probe("npz bomb: 3.1 MB, 400,000 x 1,000 zeros", "/real-data", npz_bomb(FILES / "bomb.npz"),
              "Upload a file"),
        Probe(".npy of 928 bytes claiming shape (10^13,)", "/real-data", npy_claim(FILES / "claim.npy"),
              "Upload a file"),
        Probe("network JSON, 20,000 neurons", "/optimum", network_json(FILES / "net20k.json", 20_000, False)),
        Probe("network JSON, 600,000 neurons (4.8 MB)", "/optimum",
              network_json(FILES / "net600k.json", 600_000, True)),
        Probe("CSV labels holding Markdown images/links", "/real-data", markdown_csv(FILES / "md.csv", port),
              "Upload a file", fixed_by="ui"),
    ]


# --------------------------------------------------------------------------------------------
# Running one probe
# --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    shown: str = ""
    alive: bool = False
    exceptions: int = 0
    images: int = 0  # <img> elements pointing at the probe's URL (Markdown rendered as markup)
    seconds: float = float("nan")
    error: str = ""


async def _alerts(page) -> list[str]:
    alerts = page.get_by_test_id("stAlert")
    texts = [" ".join((await alerts.nth(i).inner_text()).split()) for i in range(await alerts.count())]
    return [re.sub(r"^[a-z]+_[a-z_]+ ", "", t) for t in texts]  # a Material icon's name


async def _ws_session(port: int, query: str, out: Outcome) -> None:
    """What a browser sends after opening ``/?<query>`` (a rerun_script message over the
    websocket); the first alert or exception of the page's run."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                      max_size=None, open_timeout=SETTLE_TIMEOUT) as ws:
            msg = BackMsg()
            msg.rerun_script.query_string = query
            await ws.send(msg.SerializeToString())
            while True:
                fwd = ForwardMsg()
                fwd.ParseFromString(await asyncio.wait_for(ws.recv(), SETTLE_TIMEOUT))
                kind = fwd.WhichOneof("type")
                if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                    el = fwd.delta.new_element
                    if el.WhichOneof("type") == "exception":
                        out.exceptions += 1
                        text = f"traceback: {el.exception.type}: {el.exception.message[:90]}"
                        out.shown = out.shown or text
                    elif el.WhichOneof("type") == "alert" and not out.shown:
                        out.shown = " ".join(el.alert.body.split())[:140]
                if kind == "script_finished":
                    out.alive = not out.exceptions
                    out.shown = out.shown or "(no message)"
                    break
    except Exception as exc:  # reported in the table
        out.error = f"{type(exc).__name__}: {str(exc)[:160]}"


async def _run_ws_probe(base: str, probe: Probe) -> Outcome:
    port = urllib.parse.urlparse(base).port
    outs = [Outcome() for _ in range(probe.sessions)]
    t0 = time.perf_counter()
    await asyncio.gather(*(_ws_session(port, probe.path, o) for o in outs))
    first = outs[0]
    first.seconds = time.perf_counter() - t0
    first.alive = all(o.alive for o in outs)
    if probe.sessions > 1:
        first.shown += f" ({sum(o.alive for o in outs)}/{probe.sessions} sessions alive)"
    return first


async def _settle(page, upload: bool) -> None:
    """Wait until the script run that the action started has finished (status widget gone)."""
    status = page.get_by_test_id("stStatusWidget")
    try:
        await status.wait_for(state="visible", timeout=3000)
    except Exception:  # a fast run may be over before we look
        pass
    await status.wait_for(state="hidden", timeout=SETTLE_TIMEOUT * 1000)


async def _run_probe(base: str, probe: Probe, executable: str) -> Outcome:
    from playwright.async_api import async_playwright

    out = Outcome()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=load.CHROMIUM_ARGS, headless=True)
        try:
            page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
            t0 = time.perf_counter()
            await page.goto(base + probe.path, wait_until="commit", timeout=SETTLE_TIMEOUT * 1000)
            app = page.get_by_test_id("stApp")
            await app.wait_for(state="attached", timeout=SETTLE_TIMEOUT * 1000)
            await page.wait_for_function(
                "document.querySelector('[data-testid=stSidebar]') || "
                "document.querySelector('[data-testid=stException]')", timeout=SETTLE_TIMEOUT * 1000)
            await _settle(page, False)
            if probe.choose:
                await page.get_by_text(probe.choose, exact=True).first.click()
                await _settle(page, False)
            before = set(await _alerts(page))
            if probe.upload:
                await page.locator("input[type=file]").first.set_input_files(str(probe.upload))
                await page.wait_for_timeout(500)
                await _settle(page, True)
            out.seconds = time.perf_counter() - t0
            out.exceptions = await page.get_by_test_id("stException").count()
            if out.exceptions:
                text = await page.get_by_test_id("stException").first.inner_text()
                out.shown = "traceback: " + " ".join(text.split())[:110]
            else:
                texts = [t for t in await _alerts(page) if t not in before or not probe.upload]
                texts = [t for t in texts if not t.startswith(("Upload a file:", "verified"))]
                metric = page.get_by_test_id("stMetric").filter(has_text="Imported objective")
                if not texts and await metric.count():
                    neurons = page.get_by_test_id("stMetric").filter(has_text="Its neurons")
                    texts = ["evaluated: " + " ".join((await metric.inner_text()).split()) + ", "
                             + " ".join((await neurons.inner_text()).split())]
                out.shown = texts[0][:140] if texts else "(no message)"
            out.images = await page.locator("img[src*='hostile-probe'], a[href*='example.invalid']").count()
            out.alive = (await page.get_by_test_id("stSidebar").count()) > 0 and not out.exceptions
        except Exception as exc:  # reported in the table
            out.error = f"{type(exc).__name__}: {str(exc)[:160]}"
        finally:
            await browser.close()
    return out


def run_probe(base: str, pid: int, probe: Probe, executable: str) -> dict:
    """Run one probe in a thread of its own; the server's RSS before and its peak during it."""
    rss0 = load.rss_mb(pid)
    exact = load.reset_peak_rss(pid)
    peak = [rss0]
    done = threading.Event()

    def sample():  # children (if any) and a fallback when VmHWM cannot be reset
        while not done.wait(0.05):
            peak[0] = max(peak[0], load.rss_mb(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result: list[Outcome] = []
    run = _run_ws_probe(base, probe) if probe.sessions else _run_probe(base, probe, executable)
    worker = threading.Thread(target=lambda: result.append(asyncio.run(run)))
    worker.start()
    worker.join()
    done.set()
    sampler.join()
    hwm = load.peak_rss_mb(pid) if exact else float("nan")
    top = max(peak[0], hwm) if exact else peak[0]
    return {"probe": probe, "outcome": result[0], "rss_before": rss0, "peak": top,
            "rss_after": load.rss_mb(pid), "exact": exact}


def table(rows: list[dict]) -> str:
    lines = ["| probe | page shows | session alive | server RSS before | peak above before | after | "
             "answered by |", "|---|---|---|---:|---:|---:|---|"]
    for r in rows:
        o: Outcome = r["outcome"]
        shown = (o.error or o.shown).replace("|", "\\|")
        if o.images:
            shown += f" ({o.images} rendered <img>/<a> from user text)"
        alive = "yes" if o.alive else "no"
        lines.append(f"| {r['probe'].name} | {shown} | {alive} | {r['rss_before']:.0f} MB | "
                     f"{r['peak'] - r['rss_before']:+.0f} MB | {r['rss_after']:.0f} MB | "
                     f"{r['probe'].fixed_by} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="use this running server instead of starting one")
    parser.add_argument("--only", nargs="+", help="run the probes whose name contains one of these words")
    parser.add_argument("--chromium", default=load.CHROMIUM)
    args = parser.parse_args(argv)
    proc = None
    log = open(FILES.parent / "convexnn-hostile-server.log", "w")
    try:
        if args.url:
            base = args.url.rstrip("/")
            port = urllib.parse.urlparse(base).port or 80
            pid = load.listening_pid(port)
        else:
            port = load.free_port()
            proc = load.start_server(port, log)
            base, pid = f"http://127.0.0.1:{port}", proc.pid
        chosen = [p for p in probes(port) if not args.only or any(w in p.name for w in args.only)]
        load.run_sessions(base, load.SPECS[:1], args.chromium)  # warm-up: imports, first compile
        rows = []
        for probe in chosen:
            rows.append(run_probe(base, pid, probe, args.chromium))
            print(f"{probe.name}: {rows[-1]['outcome']}; peak {rows[-1]['peak']:.0f} MB", flush=True)
        la = os.getloadavg()
        print(f"\nload average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}; server pid {pid}, "
              f"peak from VmHWM: {all(r['exact'] for r in rows)}\n")
        print(table(rows))
        return 0
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except Exception:
                proc.kill()
        log.close()


if __name__ == "__main__":
    sys.exit(main())
