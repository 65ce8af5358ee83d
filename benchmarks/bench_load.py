"""Load test of the analysis limits: 20 anonymous clients posting 2 MB articles to a server with a memory budget.

    python benchmarks/bench_load.py [--clients 20] [--seconds 60] [--memory 3072] [--engine default] [--data DIR]

Starts ``narrascope serve --memory MB`` on loopback. Each of ``--clients`` clients, from its own loopback address
(127.0.0.11, .12, …: the server limits analyses per client address), posts a body of up to 2 MB (up to 1 M
characters of Hindi, Bulgarian and Russian news, two or three bytes a character) to ``POST /api/analyze`` without a
token, and posts again when answered (after ``Retry-After`` when refused), until ``--seconds`` have passed; the
analyses admitted by then are awaited. Meanwhile another client (127.0.0.2) sends a small request every second: an
ordinary article to analyse and a read (``GET /api/narratives``). Prints the server's peak RSS (VmHWM) against its
budget, the answers to the big requests (200, 429, others), the small requests' latency and whether the server was
still running at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench_api import free_port
from common import REPO, print_checks

#: Hindi (three bytes a character) and Cyrillic (two) news, so that up to 1 M characters — the API's longest text —
#: make a 2 MB body.
SOURCES = (
    "semeval2025-t10/HI/train/raw-documents",
    "semeval2025-t10/BG/train/raw-documents",
    "offtopic-news/bg",
    "semeval2025-t10/RU/train/raw-documents",
    "offtopic-news/ru",
)
BODY_BYTES = 2 * 1024 * 1024 - 4096  # under the 2 MB body limit
MAX_CHARS = 1_000_000


def big_bodies(data: Path, count: int) -> list[bytes]:
    """``count`` distinct JSON bodies of just under 2 MB: the news pool read from a different article onwards."""
    paths = [path for folder in SOURCES for path in sorted((data / folder).glob("*.txt"))]
    articles = [path.read_text(encoding="utf-8").strip() for path in paths]
    bodies = []
    for number in range(count):
        start = number * len(articles) // count
        taken: list[str] = []
        for article in articles[start:] + articles[:start]:
            body = json.dumps({"text": "\n\n".join([*taken, article])}, ensure_ascii=False).encode("utf-8")
            if len(body) > BODY_BYTES or sum(map(len, taken)) + len(article) + 2 * len(taken) > MAX_CHARS:
                break
            taken.append(article)
        bodies.append(json.dumps({"text": "\n\n".join(taken)}, ensure_ascii=False).encode("utf-8"))
    return bodies


class Server:
    """``narrascope serve`` as a subprocess, and its memory as the kernel counts it."""

    def __init__(self, memory: int, port: int, folder: Path) -> None:
        environment = {
            **os.environ,
            "PYTHONPATH": str(REPO / "src"),
            "NARRASCOPE_ENCODER_THREADS": "1",
            "NARRASCOPE_TOKEN": "",
        }
        command = [sys.executable, "-m", "narrascope", "serve", "--db", str(folder / "load.db")]
        command += ["--port", str(port), "--memory", str(memory)]
        self.process = subprocess.Popen(command, env=environment, stderr=subprocess.DEVNULL)

    def status(self, field: str) -> int:
        """A ``/proc/PID/status`` memory figure in MB (VmRSS now, VmHWM the peak)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024
        raise RuntimeError(f"no {field} for the server")

    def running(self) -> bool:
        return self.process.poll() is None


async def wait_until_up(url: str, server: Server) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        for _ in range(600):
            if not server.running():
                raise SystemExit("the server did not start")
            try:
                if (await client.get(url + "/api/narratives")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
    raise SystemExit("the server did not answer within 5 minutes")


async def big_client(url: str, number: int, body: bytes, engine: str, deadline: float, answers: Counter) -> None:
    """Post the 2 MB body until the deadline; an admitted analysis is awaited even past it."""
    import httpx

    transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{11 + number}")
    async with httpx.AsyncClient(transport=transport, timeout=3600) as client:
        while time.monotonic() < deadline:
            try:
                response = await client.post(
                    f"{url}/api/analyze?engine={engine}",
                    content=body,
                    headers={"content-type": "application/json"},
                )
            except httpx.TransportError as error:
                answers[type(error).__name__] += 1
                await asyncio.sleep(1)
                continue
            answers[response.status_code] += 1
            if response.status_code == 429:
                await asyncio.sleep(float(response.headers.get("retry-after", "1")))


async def small_client(url: str, text: str, engine: str, stop: asyncio.Event, latencies: dict[str, list]) -> None:
    """Every second: an ordinary article to analyse and a read, timed; failures counted as such."""
    import httpx

    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(transport=transport, timeout=600) as client:
        while not stop.is_set():
            for name, request in (
                ("analyse", client.post(f"{url}/api/analyze?engine={engine}", json={"text": text})),
                ("read", client.get(f"{url}/api/narratives")),
            ):
                started = time.perf_counter()
                try:
                    response = await request
                    ok = response.status_code == 200
                except httpx.TransportError:
                    ok = False
                latencies[name if ok else f"{name} failed"].append(time.perf_counter() - started)
            await asyncio.sleep(1)


async def run(args: argparse.Namespace) -> None:
    bodies = big_bodies(args.data, args.clients)
    small_text = sorted((args.data / "semeval2025-t10/EN/train/raw-documents").glob("*.txt"))[0].read_text()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        server = Server(args.memory, port, Path(folder))
        try:
            await wait_until_up(url, server)
            import httpx

            async with httpx.AsyncClient(timeout=600) as warm:  # models loaded before the clock starts
                await warm.post(f"{url}/api/analyze?engine={args.engine}", json={"text": small_text})
            print(f"server up; RSS with the models loaded: {server.status('VmRSS')} MB; budget {args.memory} MB")
            print(f"{args.clients} clients × {len(bodies[0]) / 1024 / 1024:.2f} MB bodies for {args.seconds} s …")
            answers: Counter = Counter()
            latencies: dict[str, list] = {"analyse": [], "read": [], "analyse failed": [], "read failed": []}
            stop = asyncio.Event()
            started = time.monotonic()
            deadline = started + args.seconds
            small = asyncio.create_task(small_client(url, small_text, args.engine, stop, latencies))
            await asyncio.gather(
                *(big_client(url, n, bodies[n], args.engine, deadline, answers) for n in range(args.clients))
            )
            stop.set()
            await small
            elapsed = time.monotonic() - started
            alive = server.running()
            peak = server.status("VmHWM") if alive else -1
        finally:
            server.process.terminate()
            server.process.wait(30)
    print(f"ran {elapsed:.0f} s (admitted analyses finished after the {args.seconds} s of requests)")
    print("big requests: " + ", ".join(f"{code}: {count}" for code, count in sorted(answers.items(), key=str)))
    for name, values in latencies.items():
        if values:
            print(
                f"small requests, {name}: {len(values)}, median {statistics.median(values) * 1000:.0f} ms, "
                f"max {max(values) * 1000:.0f} ms"
            )
    print(f"server still running at the end: {'yes' if alive else 'NO'}")
    print_checks(
        [
            ("server peak RSS (MB)", peak, "<=", args.memory),
            ("big requests answered 429", answers[429], ">=", 1),
            ("small requests that failed", len(latencies["analyse failed"]) + len(latencies["read failed"]), "<=", 0),
            ("server crashed (0 = no)", int(not alive), "<=", 0),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="how long the big clients keep posting")
    parser.add_argument("--memory", type=int, default=3072, help="the server's --memory budget (MB)")
    parser.add_argument("--engine", choices=["default", "fast"], default="default")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
