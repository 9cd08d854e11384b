#!/usr/bin/env python3
"""Cold start: process start to the first 200 on /readyz, on an empty SQLite database.

Usage: scripts/cold-start.py [BINARY] [RUNS]   (default target/release/hunyin, 5 runs)
Each run uses a fresh temporary directory (so migrations and the office seed run every time)
and a free port; prints each run and the median, in milliseconds.
"""
import os, socket, statistics, subprocess, sys, tempfile, time, urllib.request

binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/hunyin")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=0.5) as r:
            return r.status == 200
    except Exception:
        return False


times = []
for i in range(runs):
    with tempfile.TemporaryDirectory() as d:
        port = free_port()
        env = {"PATH": os.environ["PATH"], "APP__SERVER__PORT": str(port)}
        t0 = time.perf_counter()
        p = subprocess.Popen([binary], cwd=d, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            deadline = t0 + 30
            while not ready(port):
                if time.perf_counter() > deadline or p.poll() is not None:
                    sys.exit(f"run {i}: not ready")
                time.sleep(0.002)
            ms = (time.perf_counter() - t0) * 1000
        finally:
            p.terminate()
            p.wait()
        times.append(ms)
        print(f"run {i}: {ms:.1f} ms")
print(f"median {statistics.median(times):.1f} ms over {runs} runs ({binary})")
