"""What one student costs a shared Jupyter server, measured on the real tslab kernel.

For each lesson (notebooks/NN-*.ipynb) a fresh kernel is started the way JupyterLab starts it
(the `tslab` kernelspec, cwd = the notebook's folder), then every cell runs through the
project's runner (tools/nbexec.py, so a failing cell counts as a failure). Measured:

- kernel start: seconds from launch until the kernel answers (kernel_info), and its CPU time;
- idle memory: resident memory (RSS) of the kernel's process tree 2 s after it is ready;
- Run All: CPU seconds and wall seconds of running every cell, the peak RSS while it ran and
  the RSS (and PSS, which counts shared pages once) right after the last cell;
- the JupyterLab server a student's browser talks to (one per student on JupyterHub): RSS
  idle and with one kernel session open (the kernel itself not counted);
- with --concurrent N: N students at once, each a separate runner + kernel on a lesson (lessons
  taken in turn), all started together; every run must pass; the peak of the summed RSS of the
  kernels is reported.

From these numbers `--markdown` renders the measurement and sizing tables that
docs/classroom.md shows (`--write-doc docs/classroom.md` replaces the block between its
`<!-- measured:begin -->` and `<!-- measured:end -->` markers; the tests check they agree).

Usage (with scripts/env.sh sourced):
  python tools/classroom/measure.py [--lessons NB...] [--json OUT] [--write-doc DOC]
  python tools/classroom/measure.py --concurrent N [--lessons NB...] [--json OUT]
  python tools/classroom/measure.py --markdown tools/classroom/measured.json
Exit status 0 when every run was clean, 1 when a lesson failed, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from nbexec import TslabNotebookClient  # noqa: E402  (the project's one runner)

MB = 1024 * 1024
IDLE_SETTLE_S = 2.0
SAMPLE_EVERY_S = 0.1
BEGIN, END = "<!-- measured:begin -->", "<!-- measured:end -->"

# Sizing assumptions (not measured here; stated in the guide next to the result).
RESERVE_MB = 1024  # Ubuntu + JupyterHub + proxy + page cache headroom on the VM
BURST_WINDOW_S = 60  # "everyone presses Run All within the same minute"
MAX_SIMULATED = 6  # students simulated at once on this 2-core machine (the claim, capped)


# ---------------------------------------------------------------- process-tree measurements
def _tree(pid: int) -> list[psutil.Process]:
    try:
        p = psutil.Process(pid)
        return [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    total = 0
    for p in _tree(pid):
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def tree_pss(pid: int) -> int | None:
    """Proportional set size (shared pages split between the processes that share them)."""
    total = 0
    for p in _tree(pid):
        try:
            total += p.memory_full_info().pss
        except (psutil.NoSuchProcess, AttributeError, psutil.AccessDenied):
            return None
    return total


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants (reaped children included)."""
    total = 0.0
    for p in _tree(pid):
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.NoSuchProcess:
            pass
    return total


class PeakSampler(threading.Thread):
    """Samples a measure (e.g. summed RSS) every SAMPLE_EVERY_S until stopped; keeps the peak."""

    def __init__(self, measure):
        super().__init__(daemon=True)
        self.measure, self.peak, self._stop_event = measure, 0, threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            self.peak = max(self.peak, self.measure())
            self._stop_event.wait(SAMPLE_EVERY_S)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        self.peak = max(self.peak, self.measure())
        return self.peak


# ---------------------------------------------------------------- one lesson, one kernel
def measure_lesson(path: Path, timeout: int = 300) -> dict:
    """Start a kernel for the lesson, measure it idle, Run All, measure again."""
    nb = nbformat.read(path, as_version=4)
    client = TslabNotebookClient(nb, timeout=timeout, resources={"metadata": {"path": str(path.parent.resolve())}})
    client.km = client.create_kernel_manager()
    started = time.monotonic()
    client.start_new_kernel(stderr=subprocess.DEVNULL)
    client.start_new_kernel_client()
    start_s = time.monotonic() - started
    pid = client.km.provisioner.process.pid
    start_cpu = tree_cpu(pid)
    time.sleep(IDLE_SETTLE_S)
    idle_rss = tree_rss(pid)
    cpu_before = tree_cpu(pid)
    sampler = PeakSampler(lambda: tree_rss(pid))
    sampler.start()
    run_started = time.monotonic()
    with client.setup_kernel():  # the kernel already runs: this only shuts it down afterwards
        for index, cell in enumerate(client.nb.cells):
            client.execute_cell(cell, index)
        run_wall = time.monotonic() - run_started
        peak_rss = sampler.stop()
        after_rss, after_pss = tree_rss(pid), tree_pss(pid)
        run_cpu = tree_cpu(pid) - cpu_before
    code_cells = sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip())
    return {
        "lesson": path.name,
        "code_cells": code_cells,
        "ok": not client.problems,
        "problems": [p.describe(path.name) for p in client.problems],
        "start_s": round(start_s, 2),
        "start_cpu_s": round(start_cpu, 2),
        "idle_rss_mb": round(idle_rss / MB, 1),
        "run_all_wall_s": round(run_wall, 2),
        "run_all_cpu_s": round(run_cpu, 2),
        "peak_rss_mb": round(peak_rss / MB, 1),
        "after_rss_mb": round(after_rss / MB, 1),
        "after_pss_mb": None if after_pss is None else round(after_pss / MB, 1),
    }


def measure_starts(folder: Path, repeats: int = 3) -> dict:
    """Kernel start time and idle memory, started `repeats` times in a row: median and max."""
    starts, idles = [], []
    for _ in range(repeats):
        client = TslabNotebookClient(nbformat.v4.new_notebook(), resources={"metadata": {"path": str(folder.resolve())}})
        client.km = client.create_kernel_manager()
        t0 = time.monotonic()
        client.start_new_kernel(stderr=subprocess.DEVNULL)  # (tslab logs socket errors at shutdown)
        client.start_new_kernel_client()
        starts.append(time.monotonic() - t0)
        time.sleep(IDLE_SETTLE_S)
        idles.append(tree_rss(client.km.provisioner.process.pid))
        with client.setup_kernel():
            pass  # shuts the kernel down
    return {"repeats": repeats, "start_median_s": round(statistics.median(starts), 2), "start_max_s": round(max(starts), 2),
            "idle_median_mb": round(statistics.median(idles) / MB, 1)}


# ---------------------------------------------------------------- the per-student server
def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(method: str, url: str, body: dict | None = None) -> dict | list | None:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        text = r.read().decode()
    return json.loads(text) if text else None


def measure_server(timeout_s: float = 90) -> dict:
    """A JupyterLab server (what each student's JupyterHub server is), idle and with one kernel."""
    port = _free_port()
    args = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
            "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={ROOT / 'notebooks'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while True:
            try:
                _http("GET", f"{base}/api/status")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() - started > timeout_s:
                    raise RuntimeError("JupyterLab did not start") from None
                time.sleep(0.25)
        server_start_s = time.monotonic() - started
        time.sleep(IDLE_SETTLE_S)
        idle = psutil.Process(server.pid).memory_info().rss
        kernel = _http("POST", f"{base}/api/kernels", {"name": "tslab"})
        kernel_pids = [c.pid for c in psutil.Process(server.pid).children()]
        if not kernel_pids:
            raise RuntimeError("JupyterLab started no tslab kernel process")
        time.sleep(2 * IDLE_SETTLE_S)
        with_kernel = psutil.Process(server.pid).memory_info().rss  # the server alone, not the kernel
        _http("DELETE", f"{base}/api/kernels/{kernel['id']}")
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
    return {
        "server_start_s": round(server_start_s, 2),
        "server_idle_rss_mb": round(idle / MB, 1),
        "server_with_kernel_rss_mb": round(with_kernel / MB, 1),
    }


# ---------------------------------------------------------------- N students at once
def run_concurrent(lessons: list[Path], n: int, timeout: int = 300) -> dict:
    """N runner+kernel pairs started together, lessons in turn; peak of the summed kernel RSS."""
    assignments = [lessons[i % len(lessons)] for i in range(n)]
    started = time.monotonic()
    runs = [subprocess.Popen([sys.executable, str(ROOT / "tools" / "nbexec.py"), "--timeout", str(timeout), str(nb)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for nb in assignments]

    def kernels_rss() -> int:  # the node kernels only: on a hub the runner is the student's browser
        total = 0
        for r in runs:
            for child in _tree(r.pid)[1:]:
                try:
                    total += child.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
        return total

    def kernels_pss() -> int:
        total = 0
        for r in runs:
            for child in _tree(r.pid)[1:]:
                try:
                    total += child.memory_full_info().pss
                except (psutil.NoSuchProcess, AttributeError, psutil.AccessDenied):
                    pass
        return total

    sampler = PeakSampler(kernels_rss)
    sampler.start()
    pss_peak = 0
    while any(r.poll() is None for r in runs):
        pss_peak = max(pss_peak, kernels_pss())
        time.sleep(0.5)
    outputs = [r.communicate()[0] for r in runs]
    peak = sampler.stop()
    wall = time.monotonic() - started
    return {
        "students": n,
        "lessons": [p.name for p in assignments],
        "all_ok": all(r.returncode == 0 for r in runs),
        "results": [out.strip().splitlines()[-1] if out.strip() else f"exit {r.returncode}" for r, out in zip(runs, outputs)],
        "wall_s": round(wall, 1),
        "peak_kernels_rss_mb": round(peak / MB, 1),
        "peak_kernels_pss_mb": round(pss_peak / MB, 1),
        "peak_rss_per_kernel_mb": round(peak / MB / n, 1),
    }


# ---------------------------------------------------------------- sizing
def sizing(m: dict, cores: int, ram_gb: int) -> dict:
    """Students a VM holds by memory and by a Run All burst, from the measured numbers."""
    lessons = m["lessons"]
    kernel_mb = math.ceil(max(l["peak_rss_mb"] for l in lessons))
    server_mb = math.ceil(m["server"]["server_with_kernel_rss_mb"])
    per_student_mb = kernel_mb + server_mb
    usable_mb = ram_gb * 1024 - RESERVE_MB
    by_memory = usable_mb // per_student_mb
    burst_cpu_s = max(l["start_cpu_s"] + l["run_all_cpu_s"] for l in lessons)
    by_cpu = math.floor(cores * BURST_WINDOW_S / burst_cpu_s)
    return {"cores": cores, "ram_gb": ram_gb, "kernel_mb": kernel_mb, "server_mb": server_mb,
            "per_student_mb": per_student_mb, "usable_mb": usable_mb, "by_memory": by_memory,
            "burst_cpu_s": round(burst_cpu_s, 1), "by_cpu": by_cpu, "students": min(by_memory, by_cpu)}


VMS = [(2, 4), (2, 8), (4, 16), (8, 32)]


def claim(m: dict) -> int:
    """The guide's claim: concurrent students on a 2-core / 8 GB VM."""
    return sizing(m, 2, 8)["students"]


def render_markdown(m: dict) -> str:
    """The block that docs/classroom.md shows between its measured markers."""
    ls, srv = m["lessons"], m["server"]
    out = [BEGIN, "",
           f"Measured {m['date']} on {m['machine']} (tslab {m['tslab']}, Node {m['node']}, "
           f"Python {m['python']}) with `python tools/classroom/measure.py`; a fresh kernel per lesson.", "",
           "| lesson | code cells | kernel start (s) | start CPU (s) | idle RSS (MB) | Run All CPU (s) | Run All wall (s) | peak RSS (MB) | RSS after (MB) | PSS after (MB) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for l in ls:
        pss = "–" if l["after_pss_mb"] is None else f"{l['after_pss_mb']:.0f}"
        out.append(f"| `{l['lesson']}` | {l['code_cells']} | {l['start_s']:.1f} | {l['start_cpu_s']:.1f} | {l['idle_rss_mb']:.0f} | "
                   f"{l['run_all_cpu_s']:.1f} | {l['run_all_wall_s']:.1f} | {l['peak_rss_mb']:.0f} | {l['after_rss_mb']:.0f} | {pss} |")
    if m.get("starts"):
        st = m["starts"]
        out += ["", f"An empty kernel, started {st['repeats']} times in a row: ready in {st['start_median_s']:.1f} s "
                f"(median; slowest {st['start_max_s']:.1f} s), {st['idle_median_mb']:.0f} MB resident when idle."]
    out += ["",
            f"The student's JupyterLab server: {srv['server_idle_rss_mb']:.0f} MB idle, "
            f"{srv['server_with_kernel_rss_mb']:.0f} MB with a kernel session open (the kernel not counted); "
            f"it starts in {srv['server_start_s']:.1f} s.", ""]
    if m.get("concurrent"):
        c = m["concurrent"]
        out += [f"{c['students']} students at once on this 2-core machine ({', '.join(sorted(set(c['lessons'])))}): "
                f"{'all finished clean' if c['all_ok'] else 'NOT all clean'} in {c['wall_s']:.0f} s; "
                f"peak of the summed kernel RSS {c['peak_kernels_rss_mb']:.0f} MB "
                f"({c['peak_rss_per_kernel_mb']:.0f} MB per kernel; PSS {c['peak_kernels_pss_mb']:.0f} MB).", ""]
    s = sizing(m, 2, 8)
    out += ["**Sizing, 2 cores / 8 GB** (one open kernel per student; see the assumptions below):", "",
            f"- per student: kernel {s['kernel_mb']} MB (the largest peak above) + server {s['server_mb']} MB = **{s['per_student_mb']} MB**",
            f"- memory: (8 × 1024 − {RESERVE_MB} reserved) / {s['per_student_mb']} = {s['usable_mb']} / {s['per_student_mb']} → **{s['by_memory']} students**",
            f"- CPU: the heaviest lesson costs {s['burst_cpu_s']} CPU-s (kernel start + Run All); 2 cores give "
            f"2 × {BURST_WINDOW_S} = {2 * BURST_WINDOW_S} CPU-s per minute → **{s['by_cpu']} students** can all start and Run All within one minute",
            f"- holds: **{s['students']} concurrent students** (the smaller of the two)",
            f"- a student who leaves two lesson kernels running needs {2 * s['kernel_mb'] + s['server_mb']} MB: "
            f"{s['usable_mb'] // (2 * s['kernel_mb'] + s['server_mb'])} students; culling idle kernels (below) keeps it at one", "",
            "| VM | per student (MB) | by memory | by a one-minute Run All burst | concurrent students |",
            "|---|---:|---:|---:|---:|"]
    for cores, gb in VMS:
        v = sizing(m, cores, gb)
        out.append(f"| {cores} cores / {gb} GB | {v['per_student_mb']} | {v['by_memory']} | {v['by_cpu']} | **{v['students']}** |")
    out += ["", END]
    return "\n".join(out)


def write_doc(doc: Path, block: str) -> None:
    text = doc.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{doc}: no {BEGIN} … {END} block to replace")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    doc.write_text(head + block + tail)


def _version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Measure tslab kernel memory, start time and CPU per lesson.")
    ap.add_argument("--lessons", nargs="+", type=Path, help="notebooks (default: notebooks/NN-*.ipynb)")
    ap.add_argument("--concurrent", type=int, metavar="N", help="run N students at once instead (1–50)")
    ap.add_argument("--json", type=Path, help="write the measurements here")
    ap.add_argument("--write-doc", type=Path, help="replace the measured block of this markdown file")
    ap.add_argument("--markdown", type=Path, metavar="JSON", help="only render the block from a measurements file")
    ap.add_argument("--no-concurrent", action="store_true", help="skip the N-students-at-once run")
    ap.add_argument("--timeout", type=int, default=300, help="seconds a cell may run (default 300)")
    args = ap.parse_args(argv)
    if args.markdown:
        block = render_markdown(json.loads(args.markdown.read_text()))
        print(block)
        if args.write_doc:
            write_doc(args.write_doc, block)
        return 0
    lessons = args.lessons or sorted(p for p in (ROOT / "notebooks").glob("*.ipynb") if re.match(r"\d\d-", p.name))
    missing = [str(p) for p in lessons if not p.is_file()]
    if missing:
        ap.error(f"no such notebook: {', '.join(missing)}")
    if not lessons:
        ap.error("no lesson notebooks found (notebooks/NN-*.ipynb)")
    if args.concurrent is not None and not 1 <= args.concurrent <= 50:
        ap.error(f"--concurrent must be between 1 and 50, got {args.concurrent}")

    if args.concurrent:
        result = run_concurrent(lessons, args.concurrent, args.timeout)
        text = json.dumps(result, indent=1)
        print(text)
        if args.json:
            args.json.write_text(text + "\n")
        return 0 if result["all_ok"] else 1

    m = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{psutil.cpu_count()} cores, {round(psutil.virtual_memory().total / 2**30)} GiB, {platform.system()} {platform.machine()}",
        "node": _version(["node", "--version"]).lstrip("v"),
        "python": platform.python_version(),
        "tslab": json.loads((ROOT / "node_modules" / "tslab" / "package.json").read_text())["version"],
        "lessons": [],
    }
    for path in lessons:
        try:
            r = measure_lesson(path, args.timeout)
        except Exception as e:  # the kernel did not start, etc.: say which lesson and why
            print(f"FAIL {path.name}: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
        print(f"{'ok  ' if r['ok'] else 'FAIL'} {r['lesson']}: start {r['start_s']} s, idle {r['idle_rss_mb']} MB, "
              f"Run All {r['run_all_cpu_s']} CPU-s, peak {r['peak_rss_mb']} MB", file=sys.stderr)
        for p in r["problems"]:
            print(f"     {p}", file=sys.stderr)
        m["lessons"].append(r)
    m["starts"] = measure_starts(lessons[0].parent)
    m["server"] = measure_server()
    if not args.no_concurrent:
        n = min(claim(m), MAX_SIMULATED)
        print(f"running {n} students at once", file=sys.stderr)
        m["concurrent"] = run_concurrent(lessons, n, args.timeout)
    text = json.dumps(m, indent=1)
    if args.json:
        args.json.write_text(text + "\n")
    print(render_markdown(m))
    if args.write_doc:
        write_doc(args.write_doc, render_markdown(m))
    return 0 if all(l["ok"] for l in m["lessons"]) and m.get("concurrent", {}).get("all_ok", True) else 1


if __name__ == "__main__":
    sys.exit(main())
