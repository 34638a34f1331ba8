"""Time a whole study end to end and print where the time goes.

Run: ``python benchmarks/bench_study.py [STUDY ...] [--repeat 2]`` (default: every bundled study).

Each study first runs as the command a user types (``flexemp run STUDY --out
DIR`` in a new process: interpreter start, imports and all), then ``--repeat``
times in this process (the first of these pays the imports: "cold"); the table
lists the steps of the last run, slowest first, from the run's own timings
(check, data, each analysis, each output).  Target (issue #5): ``flexemp run
examples/platform_care.yaml`` end to end under 20 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("studies", nargs="*", help="study files or bundled names (default: all bundled)")
    ap.add_argument("--repeat", type=int, default=2, help="runs per study (first is cold)")
    args = ap.parse_args()

    from flexemp.studies import list_studies, study_path
    from flexemp.study.run import run_study

    names = args.studies or list_studies()
    for name in names:
        path = Path(name) if Path(name).exists() else study_path(name)
        exe = shutil.which("flexemp") or str(Path(sys.executable).with_name("flexemp"))
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            subprocess.run([exe, "run", str(path), "--out", str(Path(tmp) / "cli")], check=True,
                           capture_output=True)
            command = time.perf_counter() - t0
        walls = []
        timings: dict[str, float] = {}
        for _ in range(max(1, args.repeat)):
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                run = run_study(path, Path(tmp) / "out")
                walls.append(time.perf_counter() - t0)
                timings = run.timings
        print(f"\n== {name}: `flexemp run` {command:.2f} s (target < 20 s); in-process cold {walls[0]:.2f} s" + (f", warm {min(walls[1:]):.2f} s" if len(walls) > 1 else ""))
        total = sum(timings.values())
        for step, sec in sorted(timings.items(), key=lambda kv: -kv[1]):
            print(f"  {step:<32} {sec:7.3f} s  {sec / total * 100:5.1f}%")


if __name__ == "__main__":
    main()
