"""Which backend a database address means, and a description of it that is safe to print.

``MARKBOT_DATABASE_URL`` (or ``MARKBOT_DB``) chooses: a file path or ``sqlite:///path`` is a
SQLite file, ``postgresql://...`` or ``postgres://...`` a PostgreSQL database. The only place
that builds a backend (bot/app.py calls it).

A PostgreSQL URL may carry ``statement_cache_size=0`` (for PgBouncer in transaction mode) and
``pool_max=N`` in its query; they are options of the store, not server settings, so they are
taken out before the URL reaches asyncpg.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from storage.contract import Store
from storage.records import StorageError

_PG_SCHEMES = ("postgresql", "postgres")
_STORE_OPTIONS = ("statement_cache_size", "pool_max")


def is_postgres(target: str | Path) -> bool:
    """Whether the address names a PostgreSQL database (else a SQLite file)."""
    return isinstance(target, str) and urlsplit(target).scheme in _PG_SCHEMES


def sqlite_path(target: str | Path) -> Path:
    """The file of a SQLite address (a path, or ``sqlite:///path``)."""
    if isinstance(target, Path):
        return target
    if target.startswith("sqlite://"):
        rest = target.removeprefix("sqlite://")
        if not rest.startswith("/") or rest == "/":
            raise StorageError(
                f"a SQLite URL is sqlite:///relative/path or sqlite:////absolute/path, not {target}"
            )
        return Path(rest[1:])
    if "://" in target:
        raise StorageError(
            f"MARKBOT_DATABASE_URL must be a file path, sqlite:///PATH or postgresql://...,"
            f" not {describe(target)}"
        )
    return Path(target)


def describe(target: str | Path) -> str:
    """The address for messages and logs: a PostgreSQL URL without its password or query."""
    if not is_postgres(target):
        return str(target)
    parts = urlsplit(str(target))
    host = parts.hostname or ""
    if host and ":" in host:
        host = f"[{host}]"
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{user}{host}{port}", parts.path, "", ""))


def make_store(target: str | Path) -> Store:
    """The backend for the address, not yet opened."""
    if is_postgres(target):
        from storage.postgres import PostgresStore  # asyncpg only when it is used

        parts = urlsplit(str(target))
        query = parse_qsl(parts.query, keep_blank_values=True)
        options = {k: v for k, v in query if k in _STORE_OPTIONS}
        rest = [(k, v) for k, v in query if k not in _STORE_OPTIONS]
        url = urlunsplit(parts._replace(query=urlencode(rest)))
        try:
            cache = int(options.get("statement_cache_size", "100"))
            pool_max = int(options.get("pool_max", "10"))
        except ValueError:
            raise StorageError(
                "statement_cache_size and pool_max in MARKBOT_DATABASE_URL must be numbers"
            ) from None
        return PostgresStore(url, max_size=max(1, pool_max), statement_cache_size=cache)
    from storage.sqlite import SqliteStore

    return SqliteStore(sqlite_path(target))


async def open_store(target: str | Path) -> Store:
    """The backend for the address, opened and migrated (StorageError says what is wrong)."""
    store = make_store(target)
    await store.open()
    return store
