"""What one function imports: the project modules it can reach and the third-party names they use.

Not part of the build: ``tests/test_layers.py`` holds the declaration of which function takes
which layer (``infra.build.layers``) against it.

Static, so that imports made lazily inside functions (``import stripe`` on first use) count:

1. Start from the function's entry modules (``app`` + ``functions.<router>``, the worker's
   module, or a schedule's module) and follow every project import, at any depth of the code,
   except those under ``if TYPE_CHECKING:``.
2. Imports made by name are followed by rule, not guessed: the task registry imports every
   module of ``layers.tasks.handlers``; ``scheduled.jobs()`` imports every schedule module.
3. Providers of the composition root (``layers/bootstrap.py``) are imported by name too: a
   provider counts when a function the framework calls (a route handler, a task handler in the
   worker, a job) names it as a parameter, or when reachable code asks for it by literal name
   (``bootstrap.provide("payments")``). The route decorator asks for ``payments`` only to verify
   the ``event`` of ``auth="stripe"`` routes, so there the ``event`` parameter is what counts.
4. What is left are third-party top-level import names (``external``); the test maps them to
   the layers carrying them through the layers' own ``*.dist-info/RECORD`` files.
"""
from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = frozenset({"app", "functions", "layers", "scheduled"})
# Imported by name by a distribution, not by the project: pydantic's EmailStr needs email-validator.
IMPLICIT_IMPORTS = {"pydantic": ("email_validator",)}
WORKER_MODULE = "functions.worker"
HANDLERS_PACKAGE = "layers.tasks.handlers"
# Names whose use imports a whole package by name (see the module docstring, rule 2).
IMPORTS_BY_NAME = {"layers.tasks.registry": HANDLERS_PACKAGE, "scheduled.jobs": "scheduled"}
# Parameters the route decorator fills through a provider (layers/http/routing.py).
PARAMETER_PROVIDERS = {"event": "payments"}
ROUTE_DECORATOR = "layers.http.routing"


@dataclass(frozen=True)
class Reach:
    modules: frozenset[str]      # project modules (dotted)
    external: frozenset[str]     # third-party top-level import names
    providers: frozenset[str]    # composition-root providers the function may build


def module_file(name: str, root: Path = ROOT) -> Path | None:
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def submodules(package: str, root: Path = ROOT) -> list[str]:
    folder = root.joinpath(*package.split("."))
    return sorted(f"{package}.{p.stem}" for p in folder.glob("*.py") if not p.stem.startswith("_"))


def factories() -> dict[str, str]:
    """Provider name -> module of its factory, read from the composition root's source."""
    tree = ast.parse((ROOT / "layers" / "bootstrap.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "FACTORIES":
            value = ast.literal_eval(node.value) if node.value else {}
            return {name: path.partition(":")[0] for name, path in value.items()}
    raise LookupError("layers/bootstrap.py defines no FACTORIES")


class _Imports(ast.NodeVisitor):
    """Every import in a module (lazy ones too), its functions' parameters, provide("...") names."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.module, self.is_package = module, is_package
        self.names: set[str] = set()
        self.parameters: set[str] = set()
        self.provided: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.names.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.module.split(".")
            anchor = parts if self.is_package else parts[:-1]
            anchor = anchor[:len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        self.names.add(base)
        self.names.update(f"{base}.{alias.name}" for alias in node.names)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        args = node.args
        self.parameters.update(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])
        self.generic_visit(node)

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "provide" and node.args and isinstance(node.args[0], ast.Constant):
            self.provided.add(str(node.args[0].value))
        self.generic_visit(node)


def _scan(module: str) -> _Imports | None:
    path = module_file(module)
    if path is None:
        return None
    visitor = _Imports(module, path.name == "__init__.py")
    visitor.visit(ast.parse(path.read_text(), str(path)))
    return visitor


def _providers(module: str, parameters: set[str], invoked: set[str]) -> set[str]:
    if module not in invoked:
        return set()
    if module.startswith("functions.") and module != WORKER_MODULE:  # a router: route handlers
        return {PARAMETER_PROVIDERS.get(name, name) for name in parameters}
    return parameters


def reach(entries: Iterable[str]) -> Reach:
    """Follow the imports of ``entries`` through the project (see the module docstring)."""
    known = factories()
    entries = list(entries)
    invoked = set(entries)  # modules whose functions the framework calls with providers
    if WORKER_MODULE in invoked:
        invoked.update(submodules(HANDLERS_PACKAGE))
    todo, seen = list(entries), set[str]()
    external: set[str] = set()
    providers: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        scanned = _scan(module)
        if scanned is None:
            continue
        seen.add(module)
        parts = module.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        for name in scanned.names & IMPORTS_BY_NAME.keys():
            todo.extend(submodules(IMPORTS_BY_NAME[name]))
            if name == "scheduled.jobs":  # the admin "run now" endpoint runs jobs in its own function
                invoked.update(submodules("scheduled"))
        for name in scanned.names:
            top = name.split(".")[0]
            if top in PROJECT_PACKAGES:
                todo.append(name)
            elif top and top not in sys.stdlib_module_names and top != "__future__":
                external.add(top)
                external.update(IMPLICIT_IMPORTS.get(top, ()))
        asked = scanned.provided if module != ROUTE_DECORATOR else set()
        for provider in (asked | _providers(module, scanned.parameters, invoked)) & known.keys():
            if provider not in providers:
                providers.add(provider)
                todo.append(known[provider])
    return Reach(frozenset(seen), frozenset(external), frozenset(providers))
