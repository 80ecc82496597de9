"""The docs stay true: packages in architecture.md exist, and every `jutsu ...` command shown exists."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from jutsu.cli.main import app

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"
MINE = ("quickstart", "writing-a-strategy", "research", "going-live", "operations", "architecture")


def _packages() -> set[str]:
    src = ROOT / "src" / "jutsu"
    return {p.name for p in src.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}


def test_architecture_names_exactly_the_packages_of_the_tree() -> None:
    text = (DOCS / "architecture.md").read_text()
    table = re.search(r"## Packages.*?\n\n(.*?)\n\n", text, re.DOTALL)
    assert table
    named = set(re.findall(r"^\| `(\w+)` \|", table.group(1), re.MULTILINE))
    assert named == _packages()


def _commands() -> dict[str, set[str]]:
    """Top-level command -> its subcommands (empty for plain commands)."""
    group = typer.main.get_command(app)
    top: dict[str, object] = getattr(group, "commands", {})
    assert top
    return {name: set(getattr(command, "commands", {}) or {}) for name, command in top.items()}


def test_every_jutsu_command_in_the_docs_exists() -> None:
    commands = _commands()
    used: list[tuple[str, str]] = []
    for name in MINE:
        text = (DOCS / f"{name}.md").read_text()
        for match in re.finditer(r"(?<![\w/.-])jutsu ([a-z][\w-]*)(?: ([a-z][\w-]*))?", text):
            used.append((name, match.group(0)))
            top, sub = match.group(1), match.group(2)
            assert top in commands, f"{name}.md: `{match.group(0)}`: no command {top!r}"
            if commands[top] and sub is not None:
                assert sub in commands[top], f"{name}.md: `{match.group(0)}`: no subcommand {sub!r}"
    assert len(used) > 10


def test_docs_links_point_at_files_that_exist() -> None:
    for name in MINE:
        text = (DOCS / f"{name}.md").read_text()
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (DOCS / target).exists(), f"{name}.md links to missing {target}"
