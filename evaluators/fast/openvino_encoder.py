"""Opt-in OpenVINO runtime over the same export: reads the plain ONNX graph, records the precision it ran in.

OpenVINO picks bf16 on CPUs with AMX/AVX512-BF16 and f32 elsewhere; we keep its choice, report it, and
check the vectors against the verified fp32 ONNX export (no torch), caching that verdict per OpenVINO
version + precision.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.fast.errors import FastPathUnavailable
from evaluators.fast.onnx_encoder import OnnxEncoder, TokenEncoder, default_threads

REDUCED_MIN_COSINE = 0.999
"""bf16/f16 can't meet the fp32 bar of 0.9999; below this the OpenVINO run is refused."""


class OpenVinoEncoder(TokenEncoder):
    """OpenVINO on the CPU plugin (dynamic shapes; compiled-model cache under the export folder)."""

    def __init__(self, export_dir: Path, manifest: dict[str, Any], *, threads: int | None = None,
                 precision: str | None = None, **kw: Any) -> None:
        super().__init__(export_dir, manifest, **kw)
        try:
            import openvino as ov
        except ImportError as exc:
            hint = "openvino is not installed (pip install 'embedscout[openvino]')"
            raise FastPathUnavailable(hint) from exc
        core = ov.Core()
        core.set_property({"CACHE_DIR": str(export_dir / "openvino-cache")})
        n_threads = int(threads or default_threads())
        model = core.read_model(str(export_dir / "model.onnx"))  # plain graph: no ORT-only fused ops
        config: dict[str, Any] = {"INFERENCE_NUM_THREADS": n_threads, "PERFORMANCE_HINT": "LATENCY"}
        if precision:  # asked for: bf16 (the guard's candidate) or f32; else OpenVINO's own default
            config["INFERENCE_PRECISION_HINT"] = {"fp32": "f32", "fp16": "f16"}.get(precision, precision)
        self._compiled = core.compile_model(model, "CPU", config)
        self._request = self._compiled.create_infer_request()
        precision = _precision_name(self._compiled.get_property("INFERENCE_PRECISION_HINT"))
        self.details.update({"backend": "openvino", "precision": precision, "threads": n_threads,
                             "provider": f"openvino {ov.__version__} CPU", "export": str(export_dir)})
        self.details["vs_onnx_fp32"] = self._check(export_dir, manifest, precision, ov.__version__, threads)

    def _forward(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        result = self._request.infer(feed)
        return np.asarray(result[self._compiled.output(0)])

    def _check(self, export_dir: Path, manifest: dict[str, Any], precision: str, version: str,
               threads: int | None) -> dict[str, Any]:
        """Probe min cosine vs the fp32 ONNX export; cached so later loads skip the second runtime."""
        from evaluators.fast.stconfig import write_json_atomic
        from evaluators.fast.verify import MIN_COSINE, PROBE_TEXTS, min_cosine

        record_path = export_dir / "openvino.json"
        tag = f"{version}|{precision}"
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = {}
        if record.get("tag") != tag:
            ref = OnnxEncoder(export_dir, manifest, model_file=manifest["model_file"], precision="fp32",
                              threads=threads, name="probe", query_prompt=None, passage_prompt=None,
                              normalize=False, max_seq_length=None).encode_passages(list(PROBE_TEXTS))
            saved = self.normalize
            self.normalize = False
            try:
                got = self.encode_passages(list(PROBE_TEXTS))
            finally:
                self.normalize = saved
            self.n_tokens = 0
            record = {"tag": tag, "probe_min_cosine": round(min_cosine(ref, got), 7)}
            write_json_atomic(record_path, record)
        limit = MIN_COSINE if precision == "f32" else REDUCED_MIN_COSINE
        if record["probe_min_cosine"] < limit:
            raise FastPathUnavailable(f"OpenVINO ({precision}) differs from the verified ONNX export: min "
                                      f"cosine {record['probe_min_cosine']:.5f} < {limit}")
        return {"probe_min_cosine": record["probe_min_cosine"], "threshold": limit}


def _precision_name(value: Any) -> str:
    """OpenVINO returns an element type (`<Type: 'float32'>`); report the short name (f32, bf16, f16)."""
    text = str(getattr(value, "get_type_name", lambda: value)())
    return {"float32": "f32", "bfloat16": "bf16", "float16": "f16"}.get(text, text)
