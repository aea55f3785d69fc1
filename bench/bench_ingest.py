"""Ingest benchmark (issue 14, item 5): one large text file and one large folder, end to end.

(a) one 50 MB text file (just under the 50 MB per-file limit): read + chunk + synthetic (ICT) queries via
    `load_dataset` (target <= 30 s); (b) a folder of 100,000 small documents: `load_dataset` (read, chunk,
    synthetic queries) + a BM25 index over every chunk (target <= 60 s). Inputs are generated into a temp dir
    first (not timed; deterministic seed). Prints wall and CPU seconds per stage, the CPU model and flags, and
    the load average, which says whether the machine was shared while it ran.
Usage: `python bench/bench_ingest.py [--mb 50] [--docs 100000] [--skip-file] [--skip-folder]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluators.datasets import load_dataset  # noqa: E402
from evaluators.ingest.files import MAX_FILE_BYTES  # noqa: E402

TARGET_FILE_S, TARGET_FOLDER_S = 30.0, 60.0
SEED = 20261130


_LENGTHS = (1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 7, 8, 9, 10, 12)
"""Word lengths drawn for the vocabulary: about 5 letters on average, as in English running text."""


def _words(rng: random.Random, n: int = 6000) -> list[str]:
    """A made-up vocabulary (used with Zipf-like frequencies by `_paragraph`), about 5 letters a word."""
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    return ["".join(rng.choice(letters) for _ in range(rng.choice(_LENGTHS))) for _ in range(n)]


def _paragraph(rng: random.Random, words: list[str]) -> str:
    sentences = []
    for _ in range(rng.randint(2, 7)):
        n = rng.randint(5, 30)
        picked = [words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)] for _ in range(n)]
        text = " ".join(picked)
        sentences.append(text[0].upper() + text[1:] + rng.choice(".....?!"))
    return " ".join(sentences)


def make_file(path: Path, n_bytes: int) -> int:
    """Write paragraphs until just under `n_bytes` (UTF-8); returns the size written."""
    rng = random.Random(SEED)
    words = _words(rng)
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        while True:
            para = _paragraph(rng, words) + "\n\n"
            if size + len(para) > n_bytes:
                return size
            fh.write(para)
            size += len(para)


def make_folder(root: Path, n_docs: int) -> int:
    """n_docs .txt/.md files in 100 sub-folders, 1-2 paragraphs each (~700 bytes, like a SQuAD paragraph);
    returns the total bytes."""
    rng = random.Random(SEED + 1)
    words = _words(rng)
    total = 0
    for i in range(n_docs):
        sub = root / f"part{i % 100:03d}"
        sub.mkdir(exist_ok=True)
        text = "\n\n".join(_paragraph(rng, words) for _ in range(rng.randint(1, 2)))
        (sub / f"doc{i:06d}{'.md' if i % 10 == 0 else '.txt'}").write_text(text, encoding="utf-8")
        total += len(text)
    return total


@contextmanager
def timed(label: str, out: dict[str, tuple[float, float]]) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    out[label] = (time.perf_counter() - wall, time.process_time() - cpu)
    print(f"  {label:<34} {out[label][0]:7.2f} s wall  {out[label][1]:7.2f} s CPU", flush=True)


def machine() -> str:
    model, flags = platform.processor() or platform.machine(), ""
    try:
        info = Path("/proc/cpuinfo").read_text()
        model = next(ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("model name"))
        have = set(next(ln for ln in info.splitlines() if ln.startswith("flags")).split(":", 1)[1].split())
        flags = ", ".join(f for f in ("sse4_2", "avx2", "avx512f", "amx_tile") if f in have)
    except (OSError, StopIteration):
        pass
    return f"{model} ({flags or 'flags unknown'}), {os.cpu_count()} logical cores"


def load_note() -> str:
    """The 1-minute load average against the core count: above ~1 per core, other work shared the CPUs."""
    try:
        load = os.getloadavg()[0]
    except OSError:
        return "load average unknown"
    cores = os.cpu_count() or 1
    shared = "SHARED (other work was running)" if load > 0.5 * cores + 1 else "quiet"
    return f"load average {load:.1f} on {cores} cores: {shared}"


def bench_file(tmp: Path, n_bytes: int) -> float:
    path = tmp / "one-big-file.txt"
    size = make_file(path, n_bytes)
    print(f"(a) one text file of {size / 1e6:.1f} MB ({load_note()})")
    times: dict[str, tuple[float, float]] = {}
    with timed("load + chunk + synthetic queries", times):
        ds = load_dataset(path, chunk_tokens=256, chunk_overlap=32, synthetic="auto", seed=0)
    print(f"  -> {len(ds.corpus):,} chunks, {len(ds.queries)} synthetic queries; {load_note()}")
    return times["load + chunk + synthetic queries"][0]


def bench_folder(tmp: Path, n_docs: int) -> float:
    from evaluators.bm25 import BM25Index
    from evaluators.runner import passage_text

    root = tmp / "folder"
    root.mkdir()
    size = make_folder(root, n_docs)
    print(f"(b) a folder of {n_docs:,} documents, {size / 1e6:.1f} MB ({load_note()})")
    times: dict[str, tuple[float, float]] = {}
    with timed("load + chunk + synthetic queries", times):
        ds = load_dataset(root, chunk_tokens=256, chunk_overlap=32, synthetic="auto", seed=0)
    with timed("BM25 index over every chunk", times):
        index = BM25Index([passage_text(d) for d in ds.corpus])
    total = sum(w for w, _ in times.values())
    print(f"  -> {ds.info['n_docs']:,} documents, {len(ds.corpus):,} chunks, {index.n_tokens:,} BM25 tokens; "
          f"total {total:.2f} s wall; {load_note()}")
    return total


def _verdict(label: str, seconds: float, target: float) -> str:
    return f"{label}: {seconds:.1f} s (target <= {target:.0f} s): {'met' if seconds <= target else 'MISSED'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=MAX_FILE_BYTES / 1e6, help="size of the single file (MB)")
    parser.add_argument("--docs", type=int, default=100_000, help="documents in the folder")
    parser.add_argument("--skip-file", action="store_true")
    parser.add_argument("--skip-folder", action="store_true")
    args = parser.parse_args(argv)
    print(f"Machine: {machine()}; Python {platform.python_version()}; {load_note()}")
    lines: list[str] = []
    runs: list[tuple[str, Callable[[Path], float], float]] = []
    if not args.skip_file:
        runs.append(("(a) 1 file", lambda t: bench_file(t, int(args.mb * 1e6)), TARGET_FILE_S))
    if not args.skip_folder:
        runs.append((f"(b) {args.docs:,} docs + BM25", lambda t: bench_folder(t, args.docs), TARGET_FOLDER_S))
    for label, run, target in runs:
        with tempfile.TemporaryDirectory(prefix="embedscout-bench-ingest-") as tmp:
            lines.append(_verdict(label, run(Path(tmp)), target))
    print("\n".join(["Summary (wall clock; CPU seconds above are the contention-robust figure):", *lines]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

