"""The journal's schema, as numbered sqlite-utils migrations recorded in `_sqlite_migrations`.

The only module with DDL. Append-only: never edit, rename or reorder a migration that has shipped; add
`mNNN_verb_noun` functions at the end that only ever ADD (tables, columns via add_column, indexes).
"""

from __future__ import annotations

from storage.sqlite_lib import Database, Migrations

migrations = Migrations("embedscout")
"""The journal's migration set; `storage.store.open_db()` applies whatever is pending."""


@migrations()
def m001_create_decisions(db: Database) -> None:
    db.table("decisions").create(
        {
            "id": int,
            "title": str,
            "created_at": str,
            "updated_at": str,
            "requirements_json": str,
            "status": str,
            "chosen_model": str,
            "rationale": str,
            "tags_json": str,
            "superseded_by": int,
        },
        pk="id",
        not_null={"title", "created_at", "updated_at", "requirements_json", "status", "tags_json"},
        defaults={"status": "draft", "requirements_json": "{}", "tags_json": "[]"},
    )


@migrations()
def m002_create_recommendations(db: Database) -> None:
    db.table("recommendations").create(
        {
            "id": int,
            "decision_id": int,
            "created_at": str,
            "catalog_version": str,
            "requirements_json": str,
            "ranked_json": str,
            "excluded_json": str,
            "extra_json": str,
        },
        pk="id",
        not_null={"decision_id", "created_at", "ranked_json", "excluded_json"},
        foreign_keys=[("decision_id", "decisions", "id")],
    )


@migrations()
def m003_create_trials(db: Database) -> None:
    db.table("trials").create(
        {
            "id": int,
            "decision_id": int,
            "created_at": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "dataset_name": str,
            "dataset_fingerprint": str,
            "dataset_json": str,
            "settings_json": str,
            "environment_json": str,
        },
        pk="id",
        not_null={"decision_id", "created_at", "status"},
        defaults={"status": "incomplete"},
        foreign_keys=[("decision_id", "decisions", "id")],
    )


@migrations()
def m004_create_trial_results(db: Database) -> None:
    # Headline metrics are real columns so they can be filtered and sorted in SQL (sqlite-utils, Datasette);
    # the full ModelResult (CIs, per-query values, perf, details) lives in result_json.
    db.table("trial_results").create(
        {
            "id": int,
            "trial_id": int,
            "created_at": str,
            "model": str,
            "status": str,
            "error": str,
            "ndcg_at_10": float,
            "recall_at_1": float,
            "recall_at_5": float,
            "recall_at_10": float,
            "mrr_at_10": float,
            "hit_at_1": float,
            "query_p50_ms": float,
            "docs_per_s": float,
            "result_json": str,
        },
        pk="id",
        not_null={"trial_id", "created_at", "model", "status", "result_json"},
        foreign_keys=[("trial_id", "trials", "id")],
    )


@migrations()
def m005_create_indexes(db: Database) -> None:
    db.table("decisions").create_index(["created_at"])
    db.table("decisions").create_index(["status"])
    db.table("recommendations").create_index(["decision_id"])
    db.table("trials").create_index(["decision_id"])
    db.table("trial_results").create_index(["trial_id"])
    db.table("trial_results").create_index(["model"])


@migrations()
def m006_add_trial_stability(db: Database) -> None:
    # The trial's winner stability (evaluators.winner) as JSON. NULL for trials saved before it existed and
    # for trials with fewer than two models that ran: both read back as "no figure".
    db.table("trials").add_column("stability_json", str)
