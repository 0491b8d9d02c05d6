"""Every command has help text and is documented in the README; the README's commands run."""

from __future__ import annotations

from typer.models import CommandInfo

from conftest import ROOT
from engagements.cli import every_command


def commands() -> dict[str, str]:
    return {name: info.help or "" for name, info in every_command().items() if isinstance(info, CommandInfo)}


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = commands()
    assert {
        "validate",
        "coverage",
        "gaps",
        "show",
        "match",
        "export",
        "link",
        "unlink",
        "reject",
        "review",
        "fmt",
        "import",
        "diff",
        "requests",
        "lists",
        "schema",
    } <= set(found)
    for name, help_text in found.items():
        assert help_text.strip(), f"{name} has no help text"
        assert f"`engagements {name}" in readme, f"{name} is not documented in README.md"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```")
    test_block = blocks[3].strip().splitlines()[-1]  # the second fenced block: the test command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for step in test_block.removeprefix("bash").split("&&"):
        step = step.strip()
        if step.startswith("python3 -m venv") or step.startswith(". .venv"):
            continue
        assert step in ci, f"{step!r} is not in .ci/run"
