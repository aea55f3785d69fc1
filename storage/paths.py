"""Where embedscout keeps its files: the database, the user config, and caches.

The only module that knows file locations. Everything is computed on call (never at import) and honours
`EMBEDSCOUT_HOME` (one folder for everything, as llm's LLM_USER_PATH) and, for the database, `EMBEDSCOUT_DB`.
"""

from __future__ import annotations

import os
from pathlib import Path

from storage.errors import StorageError

APP_NAME = "embedscout"


def _home() -> Path | None:
    home = os.environ.get("EMBEDSCOUT_HOME")
    return Path(home).expanduser() if home else None


def app_dir() -> Path:
    """Folder for the decision journal (created on demand)."""
    home = _home()
    if home is not None:
        path = home
    else:
        import platformdirs

        path = platformdirs.user_data_path(APP_NAME, appauthor=False)
    return _made(path)


def config_dir() -> Path:
    """Folder for user settings and the catalog overlay written by `catalog refresh`."""
    home = _home()
    if home is not None:
        path = home / "config"
    else:
        import platformdirs

        path = platformdirs.user_config_path(APP_NAME, appauthor=False)
    return _made(path)


def cache_dir() -> Path:
    """Folder for re-creatable data: embeddings cache, ONNX exports, generated queries."""
    home = _home()
    if home is not None:
        path = home / "cache"
    else:
        import platformdirs

        path = platformdirs.user_cache_path(APP_NAME, appauthor=False)
    return _made(path)


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The journal database: `--db PATH`, else `EMBEDSCOUT_DB`, else `<app_dir>/embedscout.db`."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("EMBEDSCOUT_DB")
    if env:
        return Path(env).expanduser()
    return app_dir() / "embedscout.db"


def _made(path: Path) -> Path:
    """`path`, created if missing; StorageError with what to do when it cannot be (a file in the way, no
    permission): an OSError here used to end commands with a traceback."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fix = "point EMBEDSCOUT_HOME at" if _home() is not None else "set EMBEDSCOUT_HOME to"
        reason = exc.strerror or str(exc)
        raise StorageError(f"cannot create the folder {path}: {reason}; {fix} a writable folder") from None
    return path
