"""Load test of `narrascope serve` on loopback: N concurrent clients posting 600-word articles to /api/analyze.

    python benchmarks/bench_api.py [--clients 50] [--seconds 60] [--workers 2] [--db URL] [--path /api/analyze]

Starts the server as a subprocess (``narrascope serve``), waits until it answers, then runs closed-loop clients
(each sends its next request when the previous one is answered) with distinct articles cut from the SemEval
training data, for a bounded time. Prints throughput, p50/p95/p99 latency and the error count (target: 0 errors;
p95 < 100 ms for a 600-word article).

With closed-loop clients, latency ≈ clients / throughput (Little's law): 50 clients need about 500 analyses/s for a
100 ms p95, so on a 2-core machine the latency figure mostly measures queueing; the script also prints the
single-client latency, which is the service time of one analysis.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import DEFAULT_DATA, print_checks, to_words


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def run_clients(url: str, bodies: list[dict], clients: int, seconds: float) -> tuple[list[float], int, int]:
    import httpx

    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def one_client(number: int) -> None:
            nonlocal errors, sent
            index = number
            while time.perf_counter() < deadline:
                body = bodies[index % len(bodies)]
                index += clients
                started = time.perf_counter()
                try:
                    response = await client.post(url, json=body)
                    if response.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - started)
                sent += 1

        await asyncio.gather(*(one_client(number) for number in range(clients)))
    return latencies, errors, sent


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--path", default="/api/analyze")
    args = parser.parse_args()

    from narrascope.training.data import load_narrative_split

    texts = [example.article.text for example in load_narrative_split(args.data, "train")]
    bodies = [{"text": to_words(text, 600), "id": f"load-{i}"} for i, text in enumerate(texts)]
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        database = args.db or str(Path(folder) / "serve.db")
        command = [sys.executable, "-m", "narrascope", "serve", "--db", database, "--port", str(port)]
        command += ["--workers", str(args.workers)]
        server = subprocess.Popen(command, env={**os.environ, "NARRASCOPE_TOKEN": "load-test"})
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base)
            url = base + args.path
            single, _, _ = asyncio.run(run_clients(url, bodies, 1, 5))  # warm every worker, measure service time
            latencies, errors, sent = asyncio.run(run_clients(url, bodies, args.clients, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)
    rate = sent / args.seconds
    print(f"POST {args.path}: {args.clients} clients for {args.seconds:.0f} s, {args.workers} server process(es)")
    print(f"requests {sent}, errors {errors}, throughput {rate:.1f} req/s")
    p50, p95, p99 = (1000 * percentile(latencies, q) for q in (0.5, 0.95, 0.99))
    print(f"latency ms: p50 {p50:.0f}  p95 {p95:.0f}  p99 {p99:.0f}")
    print(f"single client (service time): p50 {1000 * statistics.median(single):.0f} ms over {len(single)} requests")
    print_checks([("errors", errors, "<", 1), ("p95 latency, ms", round(p95), "<", 100)])


def wait_until_up(base: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/narratives", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up")


if __name__ == "__main__":
    main()
