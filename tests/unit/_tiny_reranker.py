"""A tiny cross-encoder built locally (no download): BERT with one layer, 8 dims, the packaged MiniLM's vocab.

Its weights are set by hand so that its score depends on one thing only: whether the passage contains the
marker word. Every token attends equally to every other (zero query/key weights); only the marker's
embedding is non-zero, so [CLS] carries "a marker is present" and the classifier reads it. The pair
(query, passage) with the marker scores higher than every pair without it; pairs without tie.
"""

from __future__ import annotations

from pathlib import Path

HIDDEN = 8


def build_tiny_cross_encoder(folder: Path, minilm_path: str, marker: str) -> Path:
    """Save a sentence-transformers CrossEncoder folder that prefers passages containing `marker`."""
    import torch
    from sentence_transformers import CrossEncoder
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    tok = AutoTokenizer.from_pretrained(minilm_path)  # MiniLM's uncased WordPiece vocabulary
    (marker_id,) = tok.convert_tokens_to_ids([marker])
    assert marker_id != tok.unk_token_id, f"{marker!r} must be one wordpiece of the vocabulary"
    cfg = BertConfig(
        vocab_size=tok.vocab_size, hidden_size=HIDDEN, num_hidden_layers=1, num_attention_heads=1,
        intermediate_size=HIDDEN, max_position_embeddings=512, num_labels=1,
    )
    torch.manual_seed(0)
    model = BertForSequenceClassification(cfg)
    eye = torch.eye(HIDDEN)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.zero_()
            if "LayerNorm.weight" in name:
                p.fill_(1.0)
        model.bert.embeddings.word_embeddings.weight[marker_id, 0] = 1.0
        layer = model.bert.encoder.layer[0]
        layer.attention.self.value.weight.copy_(eye)
        layer.attention.output.dense.weight.copy_(eye)
        model.bert.pooler.dense.weight.copy_(eye)
        model.classifier.weight[0, 0] = 1.0
    raw = folder.parent / f"{folder.name}-hf"
    model.save_pretrained(raw)
    tok.save_pretrained(raw)
    CrossEncoder(str(raw), device="cpu", max_length=128).save_pretrained(str(folder))
    return folder
