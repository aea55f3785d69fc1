"""Ingestion: files, BEIR folders and SQuAD JSON in; chunked, sampled documents and queries out.

The public entry points are in `evaluators.datasets` (`load_dataset`, `load_demo`);
these modules are its parts.
"""
