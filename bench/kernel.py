"""Kernel benchmark: our kernel against evcxr_jupyter 0.22 on the same notebooks, in one run.

Runs every notebook in notebooks/ through nbclient, after a kernel (re)start, with three
kernels: ours, evcxr_jupyter with its defaults, and evcxr_jupyter with `:opt 0` and `:cache`
(its recommended speed settings, given in its init.evcxr); `--baseline BINARY` adds another
build of ours. The first run of each kernel starts from empty caches (cold); the others reuse
what the first left behind (warm), the kernels taking turns run by run. For each run it
records kernel start to ready, the time of each cell, the first cell that uses `lessons`, the
total, and the peak memory of the kernel and its child processes. It prints a table of medians
and ratios and writes the same to bench/results/kernel.json.

Run it with `bench/run` (which builds and installs both kernels); this file expects the
kernelspecs to be installed under JUPYTER_PATH already.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time


REPO = pathlib.Path(__file__).resolve().parent.parent
KERNELS = {
    "ours": "rust-lessons",
    "evcxr": "bench-evcxr-default",
    "evcxr-tuned": "bench-evcxr-tuned",
    "baseline": "bench-baseline",
}
USES_LESSONS = re.compile(r"\blessons::|\buse lessons\b")


def process_tree_rss(root_pid: int) -> int:
    """Resident memory, in bytes, of a process and all its descendants."""
    children = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


class PeakMemory:
    """Samples the RSS of a process tree every 100 ms while it runs."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, process_tree_rss(self.pid))
            self._stop.wait(0.1)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_notebook(path: pathlib.Path, kernel_name: str) -> dict:
    """One run of a notebook after a fresh kernel start."""
    import nbformat  # the benchmark's venv has it; --help works without it
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    phases = []

    def record_phases(cell, cell_index, execute_reply):
        # Our kernel says where each cell's time went (analysis, cargo, rustc, execution...)
        # in its reply's metadata; other kernels leave it empty.
        named = execute_reply.get("metadata", {}).get("lessons_kernel", {}).get("phases", [])
        totals = {}
        for name, millis in named:
            totals[name] = totals.get(name, 0.0) + millis
        phases.append(totals)

    client = NotebookClient(
        notebook, kernel_name=kernel_name, timeout=1800, startup_timeout=600,
        resources={"metadata": {"path": str(path.parent)}}, on_cell_executed=record_phases,
    )
    started = time.perf_counter()
    cells, first_lessons = [], None
    with client.setup_kernel():
        ready = time.perf_counter() - started
        memory = PeakMemory(client.km.provisioner.pid)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            cell_started = time.perf_counter()
            client.execute_cell(cell, index)
            seconds = time.perf_counter() - cell_started
            cells.append(round(seconds, 3))
            if first_lessons is None and USES_LESSONS.search(cell.source):
                first_lessons = round(seconds, 3)
        peak = memory.stop()
    return {
        "ready": round(ready, 3),
        "cells": cells,
        "first_lessons_cell": first_lessons,
        "small_cell_median": round(statistics.median(cells[2:]), 3) if len(cells) > 2 else None,
        "phases": phases,
        "total": round(time.perf_counter() - started, 3),
        "peak_memory_mb": round(peak / 2**20, 1),
    }


def memory_growth(kernel_name: str, cells: int) -> dict:
    """Resident memory of the kernel's process tree before and after `cells` small cells."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name=kernel_name, startup_timeout=600)
    try:
        client.execute_interactive("let mut total = 0u64;", timeout=600)
        before = process_tree_rss(manager.provisioner.pid)
        started = time.perf_counter()
        for number in range(cells):
            reply = client.execute_interactive(f"total += {number}; total", timeout=600, output_hook=lambda m: None)
            assert reply["content"]["status"] == "ok", reply["content"]
        seconds = time.perf_counter() - started
        after = process_tree_rss(manager.provisioner.pid)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return {
        "cells": cells,
        "before_mb": round(before / 2**20, 1),
        "after_mb": round(after / 2**20, 1),
        "growth_mb": round((after - before) / 2**20, 1),
        "median_cell_seconds": round(seconds / cells, 3),
    }


CONTROLS_CELL = """use lessons::viz::Figure;
use lessons::widgets::{Control, interact};
let nodes = NODES;
interact(vec![Control::int("nodes", 1..=200, nodes)?], |values| {
    let n = values.int("nodes");
    let majority: Vec<(f64, f64)> = (1..=n).map(|k| (k as f64, (k / 2 + 1) as f64)).collect();
    Figure::new(format!("majority of {n} nodes")).line("majority", majority)
})?;"""


def control_latency(kernel_name: str, moves: int) -> dict:
    """Kernel side of a live control: from a slider's `comm_msg` to the redrawn figure's
    `update_display_data` (and to `idle`), against editing the value in the cell and running
    it again, in the same kernel. The browser's share is measured by
    tests/test_widgets_browser.py."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name=kernel_name, cwd=str(REPO / "notebooks"),
                                       startup_timeout=900)
    try:
        client.execute_interactive(':dep lessons = { path = "../lessons" }', timeout=900)
        opened = []
        client.execute_interactive(CONTROLS_CELL.replace("NODES", "3"), timeout=900,
                                   output_hook=lambda m: opened.append(m))
        slider = next(m["content"]["comm_id"] for m in opened if m["msg_type"] == "comm_open")
        to_figure, to_idle = [], []
        for step in range(moves):
            message = client.session.msg("comm_msg", {"comm_id": slider, "data": {
                "method": "update", "state": {"value": 4 + step}, "buffer_paths": []}})
            started = time.perf_counter()
            client.shell_channel.send(message)
            while True:
                reply = client.get_iopub_msg(timeout=60)
                if reply["parent_header"].get("msg_id") != message["header"]["msg_id"]:
                    continue
                if reply["msg_type"] == "update_display_data":
                    to_figure.append(time.perf_counter() - started)
                if reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
                    to_idle.append(time.perf_counter() - started)
                    break
        rerun = []
        for step in range(moves):
            started = time.perf_counter()
            client.execute_interactive(CONTROLS_CELL.replace("NODES", str(100 + step)), timeout=300)
            rerun.append(time.perf_counter() - started)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    result = {
        "moves": moves,
        "comm_to_figure_median_ms": round(statistics.median(to_figure) * 1000, 2),
        "comm_to_idle_median_ms": round(statistics.median(to_idle) * 1000, 2),
        "edited_rerun_median_ms": round(statistics.median(rerun) * 1000, 1),
    }
    result["rerun_over_control"] = round(result["edited_rerun_median_ms"] / result["comm_to_idle_median_ms"], 1)
    print(f"controls: comm_msg to redrawn figure {result['comm_to_figure_median_ms']} ms, to idle "
          f"{result['comm_to_idle_median_ms']} ms; edited rerun {result['edited_rerun_median_ms']} ms "
          f"({result['rerun_over_control']}x)", flush=True)
    return result


def install_baseline(binary: pathlib.Path, cache: pathlib.Path):
    """A kernelspec for another build of our kernel, with build slots of its own."""
    spec = pathlib.Path(os.environ["JUPYTER_PATH"].split(os.pathsep)[0]) / "kernels" / KERNELS["baseline"]
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(binary), "run", "--connection-file", "{connection_file}"],
        "display_name": "Rust lessons (baseline build)", "language": "rust",
        "interrupt_mode": "message", "env": {"LESSONS_KERNEL_CACHE_DIR": str(cache)},
    }))


def clear_cache(cache: pathlib.Path):
    """Empties one kernel's cache (ours: build slots; evcxr: its :cache), leaving the others'
    alone, so that a peer's cold run does not make our next run cold too."""
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)


def summary(runs: list, key: str):
    values = [run[key] for run in runs if run.get(key) is not None]
    if not values:
        return None
    return {"median": round(statistics.median(values), 3), "min": min(values), "max": max(values)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="warm runs per notebook and kernel")
    parser.add_argument("--kernels", nargs="+", default=list(KERNELS), choices=list(KERNELS))
    parser.add_argument("--notebooks", nargs="*", type=pathlib.Path,
                        default=sorted((REPO / "notebooks").glob("*.ipynb")))
    parser.add_argument("--memory-cells", type=int, default=500,
                        help="small cells for the memory-growth check (0 to skip)")
    parser.add_argument("--cold-once", action="store_true",
                        help="empty the caches and time a cold run for the first notebook only; "
                             "later notebooks get warm runs (caches kept from the notebooks before)")
    parser.add_argument("--output", type=pathlib.Path, default=REPO / "bench" / "results" / "kernel.json")
    parser.add_argument("--baseline", type=pathlib.Path,
                        help="another build of our kernel (say, before a change) to run as kernel 'baseline'")
    parser.add_argument("--controls", type=int, default=20,
                        help="slider moves (and as many edited reruns) timed in our kernel (0 to skip)")
    args = parser.parse_args()
    if args.baseline and "baseline" not in args.kernels:
        args.kernels.append("baseline")
    if "baseline" in args.kernels and not args.baseline:
        parser.error("the baseline kernel needs --baseline BINARY")

    # Caches live in a throw-away directory: XDG_CACHE_HOME holds evcxr's :cache, and our
    # kernel keeps its build slots under LESSONS_KERNEL_CACHE_DIR.
    cache_root = pathlib.Path(tempfile.mkdtemp(prefix="kernel-bench-cache-"))
    caches = {"ours": cache_root / "lessons-kernel", "evcxr": cache_root / "xdg",
              "evcxr-tuned": cache_root / "xdg", "baseline": cache_root / "baseline"}
    if args.baseline:
        install_baseline(args.baseline.resolve(), caches["baseline"])
    os.environ["XDG_CACHE_HOME"] = str(caches["evcxr"])
    os.environ["LESSONS_KERNEL_CACHE_DIR"] = str(caches["ours"])

    results = {"notebooks": {}, "memory": {}}
    for number, path in enumerate(args.notebooks):
        cold, warm = {}, {label: [] for label in args.kernels}
        for label in args.kernels:
            cold[label] = None
            if number == 0 or not args.cold_once:
                clear_cache(caches[label])
                cold[label] = run_notebook(path, KERNELS[label])
        # Warm runs take turns, kernel by kernel, so that a change in the machine's load
        # during the benchmark falls on every kernel alike.
        for _ in range(args.runs):
            for label in args.kernels:
                warm[label].append(run_notebook(path, KERNELS[label]))
        per_kernel = {}
        for label in args.kernels:
            per_kernel[label] = {
                "cold": cold[label],
                "warm": warm[label],
                "warm_summary": {key: summary(warm[label], key) for key in
                                 ("ready", "first_lessons_cell", "small_cell_median", "total", "peak_memory_mb")},
            }
            cold_total = f"cold {cold[label]['total']} s, " if cold[label] else ""
            print(f"{path.name} {label}: {cold_total}warm {[run['total'] for run in warm[label]]}", flush=True)
        results["notebooks"][path.name] = per_kernel
    if args.memory_cells:
        for label in args.kernels[:1]:
            results["memory"][label] = memory_growth(KERNELS[label], args.memory_cells)
    if args.controls and "ours" in args.kernels:
        results["controls"] = control_latency(KERNELS["ours"], args.controls)
    shutil.rmtree(cache_root, ignore_errors=True)

    results["small_cells"] = small_cells(results["notebooks"], args.kernels)
    results["machine"] = {
        "date": datetime.date.today().isoformat(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "rustc": subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip(),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)


def small_cells(notebooks: dict, labels: list) -> dict:
    """Over every notebook: each kernel's median small cell (the cells after the first two, in
    warm runs), and for ours the median milliseconds of each phase of those cells."""
    figures = {}
    for label in labels:
        seconds, by_phase = [], {}
        for per_kernel in notebooks.values():
            for run in per_kernel[label]["warm"]:
                seconds.extend(run["cells"][2:])
                for phases in run["phases"][2:]:
                    for name, millis in phases.items():
                        by_phase.setdefault(name, []).append(millis)
        figures[label] = {
            "cells": len(seconds),
            "median_seconds": round(statistics.median(seconds), 3) if seconds else None,
            # A phase a cell did not go through counts as 0 ms for that cell.
            "phase_median_ms": {name: round(statistics.median(values + [0.0] * (len(seconds) - len(values))), 1)
                                for name, values in by_phase.items()},
            "phase_mean_ms": {name: round(sum(values) / len(seconds), 1) for name, values in by_phase.items()},
        }
    return figures


def print_table(results: dict):
    figures = [("ready", "start to ready"), ("first_lessons_cell", "first lessons cell"),
               ("small_cell_median", "small cell (median)"), ("total", "whole notebook"),
               ("peak_memory_mb", "peak memory MB")]
    for name, per_kernel in results["notebooks"].items():
        print(f"\n{name} (warm runs: median [min-max]; ratio = evcxr / ours)")
        labels = list(per_kernel)
        print("| figure | " + " | ".join(labels) + " | " + " | ".join(f"{l} / ours" for l in labels[1:]) + " |")
        print("|---" * (1 + 2 * len(labels) - 1) + "|")
        for key, title in figures:
            row = [title]
            ours = per_kernel[labels[0]]["warm_summary"][key]
            for label in labels:
                value = per_kernel[label]["warm_summary"][key]
                row.append("-" if value is None else f"{value['median']} [{value['min']}-{value['max']}]")
            for label in labels[1:]:
                value = per_kernel[label]["warm_summary"][key]
                ok = value and ours and ours["median"]
                row.append(f"{value['median'] / ours['median']:.1f}x" if ok else "-")
            print("| " + " | ".join(row) + " |")
        if all(per_kernel[label]["cold"] for label in labels):
            cold = " | ".join(f"{label} {per_kernel[label]['cold']['total']} s" for label in labels)
            print(f"cold first run, whole notebook: {cold}")
    cells = results.get("small_cells", {})
    if cells:
        labels = list(cells)
        ours = cells[labels[0]]["median_seconds"]
        print("\nsmall cells over all notebooks (median s): " + ", ".join(
            f"{label} {cells[label]['median_seconds']} ({cells[label]['cells']} cells)" for label in labels)
            + "".join(f"; {label} / ours {cells[label]['median_seconds'] / ours:.2f}x" for label in labels[1:] if ours))
        phases = cells[labels[0]]["phase_mean_ms"]
        if phases:
            print(f"where a small cell's time goes, {labels[0]} (mean ms per cell): " + ", ".join(
                f"{name} {millis}" for name, millis in sorted(phases.items(), key=lambda item: -item[1])))
    for label, growth in results["memory"].items():
        print(f"\nmemory, {label}: {growth['before_mb']} MB -> {growth['after_mb']} MB after "
              f"{growth['cells']} cells (+{growth['growth_mb']} MB), {growth['median_cell_seconds']} s per cell")


if __name__ == "__main__":
    main()
