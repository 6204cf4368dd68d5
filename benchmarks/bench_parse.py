"""Parse throughput: digest's parse_feed against feedparser, on one core.

    python benchmarks/bench_parse.py [--repeat 5] [CORPUS_DIR]
    python benchmarks/bench_parse.py --farm 200      # the fetch benchmark's feeds instead
    python benchmarks/bench_parse.py --processes 2   # across two forked processes, as fetch does

Prints MB/s for both, as the median of the repeats, and how much of the
input each of digest's readers took: items read in one go, items replayed
through the port of feedparser, and documents left to feedparser itself.
``--farm N`` builds the first N feeds of ``../shared/bench/feedfarm.py``
(faults off, seed 1), the documents ``bench_fetch.sh`` serves.

``--processes N`` times the shape a fetch has: N processes forked from a
warm parent each parse a share of the documents (balanced by size) and send
every ``ParsedFeed`` back through a pipe, as a fetch process sends its
results to the one that writes. Two figures: processes forked for each pass
(the time runs from the first fork to the last result unpickled), and
processes started once before the clock, as a fetch starts its own once for
all its feeds. Those hold their shares from the start, as a fetch process
holds the bodies it downloaded, and are told to go at the start of each pass.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import feedparser

from digest.feeds import fastparse
from digest.feeds.parse import parse_feed

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT = SHARED / "corpus" / "real"


def corpus(root: Path) -> list[tuple[str, bytes]]:
    files = [p for p in sorted(root.rglob("*")) if p.is_file()
             and p.suffix not in (".md", ".json") or p.name.endswith("feed.json")]
    return [(p.as_uri(), p.read_bytes()) for p in files]


def farm(count: int) -> list[tuple[str, bytes]]:
    sys.path.insert(0, str(SHARED / "bench"))
    import feedfarm  # type: ignore[import-not-found]

    args = argparse.Namespace(feeds=count, entries=(20, 50), min_kb=2, max_kb=500, faults="off",
                              fault_rate=0.06, huge_mb=20, gzip="off", seed=1)
    factory = feedfarm.FeedFactory(args, "http://127.0.0.1:8787")
    out = []
    for feed in factory.plan():
        factory.build(feed)
        out.append((f"http://127.0.0.1:8787{feed.path}", feed.body))
    return out


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    """Seconds each of ``repeat`` calls of ``run`` took."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def report(name: str, times: list[float], megabytes: float, note: str = "") -> None:
    """One line: the median time and the throughput it gives, then the spread."""
    med = statistics.median(times)
    print(f"{name:<28} median {med * 1000:7.1f} ms  {megabytes / med:6.1f} MB/s  "
          f"({note}min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f} ms, n={len(times)})")


def routes(bodies: list[tuple[str, bytes]]) -> str:
    """Who read what: items in one go, items replayed, documents left to feedparser."""
    counts = {"quick": 0, "replayed": 0}
    real_parse, real_quick = fastparse.parse, fastparse._quick_item
    refused = [0, 0]

    def quick(walker: Any, item: Any) -> Any:
        entry = real_quick(walker, item)
        counts["quick" if entry is not None else "replayed"] += 1
        return entry

    def parse(body: bytes, *args: Any) -> Any:
        result = real_parse(body, *args)
        if result is None:
            refused[0] += 1
            refused[1] += len(body)
        return result

    fastparse._quick_item, fastparse.parse = quick, parse
    try:
        for url, body in bodies:
            parse_feed(body, url)
    finally:
        fastparse._quick_item, fastparse.parse = real_quick, real_parse
    size = sum(len(b) for _, b in bodies)
    return (f"items read in one go {counts['quick']}, replayed through the port "
            f"{counts['replayed']}; documents left to feedparser {refused[0]} "
            f"({refused[1] / size:.1%} of the bytes)")


def shares(bodies: list[tuple[str, bytes]], count: int) -> list[list[tuple[str, bytes]]]:
    """``count`` shares of about equal bytes, the largest documents dealt first."""
    out: list[list[tuple[str, bytes]]] = [[] for _ in range(count)]
    load = [0] * count
    for url, body in sorted(bodies, key=lambda doc: -len(doc[1])):
        lightest = load.index(min(load))
        out[lightest].append((url, body))
        load[lightest] += len(body)
    return out


def _serve_share(conn: Connection, share: list[tuple[str, bytes]]) -> None:
    """Parse the share each time the parent says go, and send every result, then None."""
    while conn.recv():
        for url, body in share:
            conn.send(parse_feed(body, url))
        conn.send(None)


def _start(bodies: list[tuple[str, bytes]], count: int) -> list[tuple[Connection, BaseProcess]]:
    """``count`` forked processes, each holding its share, as a fetch process holds the
    bodies it downloaded."""
    context = multiprocessing.get_context("fork")
    started = []
    for share in shares(bodies, count):
        mine, theirs = context.Pipe()
        worker = context.Process(target=_serve_share, args=(theirs, share))
        worker.start()
        theirs.close()
        started.append((mine, worker))
    return started


def _one_pass(started: list[tuple[Connection, BaseProcess]], documents: int) -> None:
    """Every process parses its share; every result is unpickled here."""
    for conn, _ in started:
        conn.send(True)
    received, busy = 0, [conn for conn, _ in started]
    while busy:
        for ready in wait(busy):
            assert isinstance(ready, Connection)
            if ready.recv() is None:
                busy.remove(ready)
            else:
                received += 1
    if received != documents:
        raise SystemExit(f"{received} results for {documents} documents")


def _stop(started: list[tuple[Connection, BaseProcess]]) -> None:
    for conn, _ in started:
        conn.send(False)
    for _, worker in started:
        worker.join()


def across_processes(bodies: list[tuple[str, bytes]], count: int) -> float:
    """Seconds for ``count`` processes forked now to parse ``bodies`` and hand every
    result back."""
    start = time.perf_counter()
    started = _start(bodies, count)
    _one_pass(started, len(bodies))
    took = time.perf_counter() - start
    _stop(started)
    return took


def started_processes(bodies: list[tuple[str, bytes]], count: int, repeat: int) -> list[float]:
    """Seconds per pass for ``count`` processes started before the clock to parse ``bodies``
    and hand every result back."""
    started = _start(bodies, count)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        _one_pass(started, len(bodies))
        times.append(time.perf_counter() - start)
    _stop(started)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--farm", type=int, default=0, metavar="N",
                    help="parse the first N feeds of the feed farm instead")
    ap.add_argument("--digest-only", action="store_true", help="skip feedparser")
    ap.add_argument("--processes", type=int, default=0, metavar="N",
                    help="also time digest across N forked processes, results piped back")
    args = ap.parse_args()
    bodies = farm(args.farm) if args.farm else corpus(args.corpus)
    size = sum(len(b) for _, b in bodies) / 1e6
    print(f"{len(bodies)} documents, {size:.1f} MB")
    print(routes(bodies))
    tools = [("digest parse_feed", lambda b, u: parse_feed(b, u))]
    if not args.digest_only:
        tools.append(("feedparser.parse", lambda b, u: feedparser.parse(b)))
    for name, fn in tools:
        report(name, timed(lambda fn=fn: [fn(body, url) for url, body in bodies], args.repeat),
               size)
    for count in sorted({1, args.processes}) if args.processes else ():
        # The parent parsed everything above, so each process starts with the
        # parser imported and its expressions compiled, as a long fetch's are.
        name = f"{count} process{'es' if count > 1 else ''}"
        report(f"{name}, forked per pass",
               [across_processes(bodies, count) for _ in range(args.repeat)], size)
        report(f"{name}, started before", started_processes(bodies, count, args.repeat), size)


if __name__ == "__main__":
    main()
