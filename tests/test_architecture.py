"""The layering holds: handlers -> services -> storage; nothing imports handlers; SQL and texts
live where they belong."""

from __future__ import annotations

import ast
import re
from pathlib import Path

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
            assert not any(n.startswith(("aiosqlite", "sqlite3")) for n in names), path


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
