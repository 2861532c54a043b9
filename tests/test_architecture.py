"""The layering holds: handlers -> services -> storage; nothing imports handlers; SQL and texts
live where they belong."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from storage.contract import BroadcastStore, ContactStore, Diagnostics, Store
from storage.postgres import PostgresStore
from storage.postgres_broadcasts import PostgresBroadcasts
from storage.postgres_contacts import PostgresContacts
from storage.sqlite import SqliteStore
from storage.sqlite_broadcasts import SqliteBroadcasts
from storage.sqlite_contacts import SqliteContacts

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "services", "storage", "prompts", "standin")

ALLOWED = {
    "storage": {"storage"},
    "prompts": {"prompts"},
    "services": {"services", "storage", "prompts"},
    "handlers": {"handlers", "services"},
    "bot": {"bot", "handlers", "services", "storage", "prompts", "standin"},
    "standin": {"standin"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


def test_dependency_direction() -> None:
    for package, allowed in ALLOWED.items():
        for path in (ROOT / package).rglob("*.py"):
            bad = _imports(path) - allowed
            assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_nothing_imports_handlers_but_the_composition_root() -> None:
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if package == "handlers" or path.name == "app.py":
                continue
            assert "handlers" not in _imports(path), path


def test_aiosqlite_stays_in_storage() -> None:
    for package in PACKAGES:
        if package == "storage":
            continue
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
            engines = ("aiosqlite", "sqlite3", "asyncpg")
            assert not any(n.startswith(engines) for n in names), path


SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b",
    re.IGNORECASE,
)


def test_sql_only_in_storage() -> None:
    for package in PACKAGES:
        if package == "storage":
            continue
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    assert not SQL.search(node.value), f"SQL in {path}: {node.value[:60]!r}"


def test_handlers_and_services_hold_no_user_facing_sentences() -> None:
    """Texts come from prompts/: a string literal with several words and a full stop is a
    sentence someone would read, and it belongs in the catalog."""
    sentence = re.compile(r"^[A-Z][a-z]+(?: [a-z',]+){3,}[.!?]$")
    for package in ("handlers", "services"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = {
                id(n.body[0].value)
                for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and n.body
                and isinstance(n.body[0], ast.Expr)
            }
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docstrings
                ):
                    assert not sentence.match(node.value), f"{path}: {node.value!r}"


# --- the storage contract (storage/contract.py) ---------------------------------------------

SERVICE_STORAGE_MODULES = {"storage.contract", "storage.records"}


def _storage_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "storage"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "storage":  # from storage import x
                found |= {f"storage.{a.name}" for a in node.names}
            elif node.module.startswith("storage."):
                found.add(node.module)
    return found


def test_services_see_storage_only_through_the_contract() -> None:
    """Services type against storage.contract.Store and use its records: never storage.sqlite
    (or any backend module), so a second backend needs no change in services."""
    for path in (ROOT / "services").rglob("*.py"):
        bad = _storage_modules(path) - SERVICE_STORAGE_MODULES
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_only_the_composition_root_builds_a_backend() -> None:
    for package in ("bot", "handlers", "services", "prompts", "standin"):
        for path in (ROOT / package).rglob("*.py"):
            if path.relative_to(ROOT).as_posix() == "bot/app.py":
                continue
            text = path.read_text(encoding="utf-8")
            for builder in ("SqliteStore(", "PostgresStore(", "make_store(", "open_store("):
                assert builder not in text, f"{path.relative_to(ROOT)} builds a backend"


def _store_calls(path: Path) -> set[tuple[str, ...]]:
    """Every ``self._store.a`` or ``self._store.a.b`` a service reads, as (a,) or (a, b)."""
    found: set[tuple[str, ...]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        chain: list[str] = []
        while isinstance(node, ast.Attribute):
            chain.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id == "self" and chain[-1:] == ["_store"]:
            found.add(tuple(reversed(chain[:-1]))[:2])
    return {c for c in found if c}


def test_services_call_only_operations_the_contract_names() -> None:

    parts = {"broadcasts": BroadcastStore, "contacts": ContactStore}
    for path in (ROOT / "services").rglob("*.py"):
        for call in _store_calls(path):
            assert call[0] in _members(Store), f"{path.relative_to(ROOT)}: store.{call[0]}"
            if call[0] in parts and len(call) > 1:
                assert call[1] in _members(parts[call[0]]), f"{path.relative_to(ROOT)}: {call}"


def _members(protocol: type) -> set[str]:
    return {
        name
        for klass in protocol.__mro__
        if klass.__module__ == "storage.contract"
        for name in vars(klass)
        if not name.startswith("_")
    }


def _same_signature(contract: object, implementation: object, where: str) -> None:
    """Same parameters (names, kinds, defaults), the same resolved types, and async alike."""
    import inspect
    import typing

    if isinstance(contract, property):
        assert isinstance(implementation, property), f"{where} must be a property"
        contract, implementation = contract.fget, implementation.fget
    assert callable(contract) and callable(implementation), where
    assert inspect.iscoroutinefunction(contract) == inspect.iscoroutinefunction(implementation), (
        f"{where}: async in one and not the other"
    )
    want, got = inspect.signature(contract), inspect.signature(implementation)
    assert [(p.name, p.kind, p.default) for p in want.parameters.values()] == [
        (p.name, p.kind, p.default) for p in got.parameters.values()
    ], f"{where}: parameters {want} in the contract, {got} in the backend"
    assert typing.get_type_hints(contract) == typing.get_type_hints(implementation), (
        f"{where}: types {want} in the contract, {got} in the backend"
    )


BACKEND_PARTS = [
    (SqliteStore, SqliteBroadcasts, SqliteContacts, {"path"}),  # the file
    (PostgresStore, PostgresBroadcasts, PostgresContacts, {"url"}),  # the server's address
]


@pytest.mark.parametrize(("store_class", "broadcasts", "contacts", "_"), BACKEND_PARTS)
def test_each_store_satisfies_the_contract_at_runtime(
    store_class: type, broadcasts: type, contacts: type, _: set[str]
) -> None:
    """Every member the Protocols name exists on each backend with the same signature."""
    pairs = [
        (Store, store_class),
        (Diagnostics, store_class),
        (BroadcastStore, broadcasts),
        (ContactStore, contacts),
    ]
    for protocol, backend in pairs:
        for name in sorted(_members(protocol)):
            where = f"{backend.__name__}.{name}"
            if name in ("broadcasts", "contacts"):  # parts, set per instance
                continue
            assert hasattr(backend, name), f"{where} is missing ({protocol.__name__} names it)"
            _same_signature(vars(protocol)[name], getattr(backend, name), where)
    store = store_class(":memory:" if store_class is SqliteStore else "postgresql:///x")
    assert isinstance(store.broadcasts, broadcasts)
    assert isinstance(store.contacts, contacts)
    assert isinstance(store, Diagnostics)


@pytest.mark.parametrize(("store_class", "_b", "_c", "backend_only"), BACKEND_PARTS)
def test_the_contract_names_every_operation_of_each_store(
    store_class: type, _b: type, _c: type, backend_only: set[str]
) -> None:
    """A new public operation on a backend must be added to the contract (or Diagnostics),
    with its guarantee, before services may use it and so every backend implements it."""
    public = {
        name
        for klass in store_class.__mro__
        if klass.__module__.startswith("storage.")
        for name in vars(klass)
        if not name.startswith("_")
    }
    missing = public - _members(Store) - _members(Diagnostics) - backend_only
    assert not missing, f"add to storage/contract.py with their guarantees: {sorted(missing)}"


def _sqlite_is_a_store(path: str) -> tuple[Store, Diagnostics]:
    """The static check: mypy (test below) verifies SqliteStore against both Protocols."""
    store = SqliteStore(path)
    return store, store


def _postgres_is_a_store(url: str) -> tuple[Store, Diagnostics]:
    """The same static check for PostgresStore."""
    store = PostgresStore(url)
    return store, store


def test_each_store_satisfies_the_contract_statically() -> None:
    """mypy reads the typed assignments above: a missing operation or a changed signature on
    a backend (or its parts) is an error here."""
    api = pytest.importorskip("mypy.api")
    out, err, status = api.run(
        [
            "--follow-imports=silent",
            "--ignore-missing-imports",
            "--no-error-summary",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(Path(__file__)),
        ]
    )
    assert status == 0, out + err
