"""The command line is a package without import cycles: command modules import only `common`."""

from __future__ import annotations

import ast
from pathlib import Path

import engagements.cli

PACKAGE = Path(engagements.cli.__file__).parent
CORE = PACKAGE.parent


def _imports(path: Path) -> list[ast.ImportFrom]:
    return [n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.ImportFrom)]


def test_command_modules_import_only_the_shared_module_and_no_private_name():
    modules = sorted(p for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "common.py"))
    assert {p.stem for p in modules} >= {"data", "reports", "edit", "export", "importing"}
    for path in modules:
        for node in _imports(path):
            if node.level == 1:  # from .x import … inside the package
                assert node.module == "common", f"{path.name} imports cli.{node.module}"
            names = [a.name for a in node.names]
            private = [n for n in names if n.startswith("_") and n != "_"]
            assert not private, f"{path.name} imports private names {private}"


def test_the_shared_module_imports_no_command_module_and_the_core_never_imports_the_cli():
    assert all(node.level != 1 for node in _imports(PACKAGE / "common.py"))
    for path in (p for p in CORE.glob("*.py") if p.name != "__main__.py"):  # the entry point runs the app
        for node in _imports(path):
            target = node.module or ""
            assert not target.startswith("cli") and "engagements.cli" not in target, f"{path.name} imports the CLI"
