"""The one exception of the fast path; in its own module so every fast-path module can raise it cheaply."""

from __future__ import annotations


class FastPathUnavailable(Exception):
    """The ONNX/OpenVINO path can't serve this model here; str(exc) is the reason shown to the user.

    Callers (evaluators.backends.load_encoder) catch it and fall back to sentence-transformers on torch.
    """
