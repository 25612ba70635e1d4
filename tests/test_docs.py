"""Docs are tested (as sqlite-utils does): every command and every setting is in the README."""

from __future__ import annotations

from pathlib import Path

import click

from intake.cli import main
from intake.config import DEFAULTS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _command_paths(group: click.Group, prefix: str = "intake") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        paths.append(path)
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, path))
    return paths


def test_readme_documents_every_command():
    missing = [path for path in _command_paths(main) if f"`{path}" not in README]
    assert not missing, f"README.md does not document: {missing}"


def test_readme_documents_every_setting():
    missing = [key for key in DEFAULTS if f"`{key}`" not in README]
    assert not missing, f"README.md configuration table lacks: {missing}"


def test_readme_has_the_two_commands():
    assert "make run" in README and "make test" in README


def test_readme_lists_the_export_headers_in_order():
    from intake.export_rows import CLAIMANT_COLUMNS, REVIEW_COLUMNS, SUBMISSION_COLUMNS
    from intake.export_summary import SUMMARY_HEADERS

    for sheet, columns in (
        ("Claimants", [c[0] for c in CLAIMANT_COLUMNS]),
        ("Submissions", [c[0] for c in SUBMISSION_COLUMNS]),
        ("Review log", [c[0] for c in REVIEW_COLUMNS]),
        ("Summary", SUMMARY_HEADERS),
    ):
        line = next(li for li in README.splitlines() if li.startswith(f"| `{sheet}` |"))
        assert ", ".join(f"`{c}`" for c in columns) in line, sheet
