"""Kernel start-to-ready and trivial-cell latency, measured with jupyter_client (a real client).

usage: kernel_bench.py KERNEL_NAME STARTS CELLS    (JUPYTER_PATH must find the kernelspec)
Start-to-ready: from launching the process to the kernel_info reply (what a front end waits for).
Trivial cell: execute_request of `1 + 1` to its execute_reply, steady state (after 5 warm-up cells).
"""
import statistics
import sys
import time

from jupyter_client.manager import KernelManager


def main(name, starts, cells):
    ready, latency = [], []
    for i in range(starts):
        km = KernelManager(kernel_name=name)
        t0 = time.perf_counter()
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=120)
        ready.append(time.perf_counter() - t0)
        if i == 0:
            for _ in range(5):
                kc.execute_interactive("1 + 1", timeout=60)
            for _ in range(cells):
                t = time.perf_counter()
                kc.execute_interactive("1 + 1", timeout=60, output_hook=lambda m: None)
                latency.append(time.perf_counter() - t)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print("kernel start-to-ready: median %.3f s (min %.3f, max %.3f, %d starts)"
          % (statistics.median(ready), min(ready), max(ready), len(ready)))
    print("trivial cell (1 + 1):  median %.1f ms (p90 %.1f ms, %d cells)"
          % (1000 * statistics.median(latency), 1000 * sorted(latency)[int(0.9 * len(latency))], len(latency)))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
