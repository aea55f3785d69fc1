"""Network integrations over httpx: API embedders, LLM-written queries, MTEB results fetch.

Nothing here is imported at CLI start-up; callers import the submodules inside functions.
"""
