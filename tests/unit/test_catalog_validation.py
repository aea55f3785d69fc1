"""A malformed catalog file fails at load with a CatalogError naming the entry id and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.load import CatalogError, load_catalog

GOOD = """
snapshot = "2026-01-01"

[[model]]
id = "acme/good"
name = "good"
provider = "Acme"
open_weights = true
hf_id = "acme/good"
max_tokens = 512
dims = 384
tokenizer = "wordpiece"
languages = ["en"]
[model.fact_sources]
max_tokens = "acme/good sentence_bert_config.json max_seq_length=512"
dims = "acme/good config.json hidden_size=384"
languages = "acme/good model card"
[model.scores.mteb_eng_v2]
mean = 60.0
retrieval_mean = 45.5
source = "test"
"""


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "models.toml"
    path.write_text(body, encoding="utf-8")
    return path


X = 'id = "acme/x"\nname = "x"\nprovider = "A"\nopen_weights = true\nhf_id = "acme/x"\n'


def _bad_entry(lines: str) -> str:
    return GOOD + "\n[[model]]\n" + lines


def test_good_file_loads(tmp_path: Path) -> None:
    models = load_catalog(path=_write(tmp_path, GOOD))
    assert [m.id for m in models] == ["acme/good"]


@pytest.mark.parametrize(
    ("body", "entry", "field", "problem"),
    [
        (
            _bad_entry(X + 'max_tokens = "512"'),
            "acme/x",
            "max_tokens",
            "positive integer",
        ),
        (
            _bad_entry(X + 'colour = "red"'),
            "acme/x",
            "colour",
            "unknown field",
        ),
        (
            _bad_entry('id = "acme/x"\nname = "x"\nopen_weights = true\nhf_id = "acme/x"'),
            "acme/x",
            "provider",
            "required",
        ),
        (
            _bad_entry(X + 'tokenizer = "magic"'),
            "acme/x",
            "tokenizer",
            "expected one of",
        ),
        (
            _bad_entry('id = "acme/x"\nname = "x"\nprovider = "A"\nopen_weights = "yes"\nhf_id = "acme/x"'),
            "acme/x",
            "open_weights",
            "true or false",
        ),
        (
            _bad_entry('id = "acme/x"\nname = "x"\nprovider = "A"\nopen_weights = false'),
            "acme/x",
            "api_provider",
            "API models need",
        ),
        (
            _bad_entry('id = "acme/x"\nname = "x"\nprovider = "A"\nopen_weights = true'),
            "acme/x",
            "hf_id",
            "Hugging Face id",
        ),
        (
            _bad_entry(X + "dims = 256\nmatryoshka_dims = [128, 512]"),
            "acme/x",
            "matryoshka_dims",
            "exceeds dims",
        ),
        (
            _bad_entry(X + 'release_date = "June 2024"'),
            "acme/x",
            "release_date",
            "YYYY-MM-DD",
        ),
        (
            _bad_entry(X + 'languages = ["English"]'),
            "acme/x",
            "languages",
            "ISO 639",
        ),
        (
            _bad_entry(X + '[model.scores.mteb_klingon]\nmean = 1.0\nsource = "s"'),
            "acme/x",
            "scores.mteb_klingon",
            "unknown benchmark",
        ),
        (
            _bad_entry(X + '[model.scores.cmteb_v1]\nretrieval_mean = 140.0\nsource = "s"'),
            "acme/x",
            "scores.cmteb_v1.retrieval_mean",
            "0-100",
        ),
        (
            _bad_entry(X + "[model.scores.cmteb_v1]\nretrieval_mean = 40.0"),
            "acme/x",
            "scores.cmteb_v1.source",
            "source",
        ),
        (
            _bad_entry(
                'id = "acme/good"\nname = "dup"\nprovider = "A"\nopen_weights = true\nhf_id = "acme/good"'
            ),
            "acme/good",
            "id",
            "duplicate",
        ),
        (_bad_entry('name = "nameless"\nprovider = "A"\nopen_weights = true'), "#2", "id", "required"),
    ],
)
def test_malformed_entry_names_entry_and_field(
    tmp_path: Path, body: str, entry: str, field: str, problem: str
) -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog(path=_write(tmp_path, body))
    message = str(info.value)
    assert f"'{entry}'" in message and f"field '{field}'" in message and problem in message


def test_invalid_toml_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="not valid TOML"):
        load_catalog(path=_write(tmp_path, "[[model]\nid = "))


def test_empty_file_and_unknown_top_level_key(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"no \[\[model\]\] entries"):
        load_catalog(path=_write(tmp_path, 'snapshot = "x"\n'))
    with pytest.raises(CatalogError, match="unknown top-level"):
        load_catalog(path=_write(tmp_path, GOOD.replace('snapshot = "2026-01-01"', "version = 2")))


def test_bad_overlay_entry_is_rejected_too(tmp_path: Path) -> None:
    """catalog refresh validates its overlay through load_catalog: a bad overlay must not slip in."""
    with pytest.raises(CatalogError, match="'acme/good': field 'dims'"):
        load_catalog({"model": [{"id": "acme/good", "dims": -3}]}, path=_write(tmp_path, GOOD))


def test_overlay_none_values_mean_unknown(tmp_path: Path) -> None:
    """Overlays are dicts, so None can appear where TOML would omit the key: treated as unknown."""
    models = load_catalog(
        {
            "model": [
                {
                    "id": "acme/good",
                    "scores": {
                        "mteb_eng_v2": {
                            "mean": None,
                            "retrieval_mean": 47.0,
                            "tasks_with_results": 0,
                            "source": "refresh",
                        }
                    },
                }
            ]
        },
        path=_write(tmp_path, GOOD),
    )
    score = models[0].scores
    assert [(s.mean, s.retrieval_mean) for s in score.values()] == [(None, 47.0)]
