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


def test_the_table_of_commands_names_every_registered_command_in_order_and_its_module():
    from engagements.cli import COMMANDS, MODULES, registered

    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "common", "usage"}
    assert set(MODULES) == modules
    found = {}
    for module in MODULES:
        infos, groups = registered(module)
        found.update((engagements.cli.command_name(i), module) for i in [*infos, *groups])
    assert found == COMMANDS
    assert list(COMMANDS) == list(found)  # the help page's order is the modules' order


def test_a_command_imports_only_its_own_module_of_the_cli():
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from engagements.cli import app\n"
        "try:\n"
        "    app(['coverage', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('engagements.cli.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == str(["engagements.cli.common", "engagements.cli.reports", "engagements.cli.usage"])


def test_reports_read_from_the_cache_import_neither_the_yaml_reader_nor_the_checks(tmp_path):
    """With the results in the cache, the read commands need no YAML reader, no loader, no
    checks and no meter: importing them is most of what a cached command would cost (issue 10)."""
    import os
    import subprocess
    import sys

    from conftest import DATA

    env = {**os.environ, "ENGAGEMENTS_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "100"}
    env.pop("ENGAGEMENTS_NO_CACHE", None)
    probe = (
        "import sys\n"
        "from engagements.cli import app\n"
        "try:\n"
        "    app(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('ruamel.yaml', 'engagements.loading', 'engagements.checks', 'engagements.meter')\n"
        "sys.stderr.write(repr(sorted(m for m in heavy if m in sys.modules)) + '\\n')\n"
    )
    commands = [
        ["coverage"],
        ["show", "q1"],
        ["match"],
        ["export", "--format", "html", "-o", str(tmp_path / "x.html")],
    ]
    for n, command in enumerate(commands):
        args = [sys.executable, "-c", probe, "--data", str(DATA), *command]
        first = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
        if n == 0:  # an empty cache: loaded and checked, from the YAML
            assert "ruamel.yaml" in first.stderr.strip().splitlines()[-1]
        again = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
        assert again.stderr.strip().splitlines()[-1] == "[]", (command, again.stderr)
