"""The ``intake`` command: database location precedence, init, serve's refusal without a key."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from intake import store
from intake.cli import main


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.delenv("INTAKE_DB", raising=False)
    monkeypatch.delenv("INTAKE_SECRET_KEY", raising=False)
    monkeypatch.setenv("INTAKE_INSTANCE", str(tmp_path / "instance"))
    return CliRunner()


def test_init_creates_db_at_db_option(cli, tmp_path):
    target = tmp_path / "x" / "claims.db"
    result = cli.invoke(main, ["--db", str(target), "init"])
    assert result.exit_code == 0, result.output
    assert f"-> {store.SCHEMA_VERSION}" in result.output
    assert sqlite3.connect(target).execute("PRAGMA user_version").fetchone()[0] == (
        store.SCHEMA_VERSION
    )


def test_db_comes_from_env_when_no_option(cli, tmp_path, monkeypatch):
    target = tmp_path / "env.db"
    monkeypatch.setenv("INTAKE_DB", str(target))
    assert cli.invoke(main, ["init"]).exit_code == 0
    assert target.exists()


def test_db_defaults_to_instance_folder(cli, tmp_path):
    assert cli.invoke(main, ["init"]).exit_code == 0
    assert (tmp_path / "instance" / "intake.db").exists()


def test_option_beats_env(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_DB", str(tmp_path / "env.db"))
    assert cli.invoke(main, ["--db", str(tmp_path / "opt.db"), "init"]).exit_code == 0
    assert (tmp_path / "opt.db").exists()
    assert not (tmp_path / "env.db").exists()


def test_init_migrates_an_older_database(cli, tmp_path):
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()  # version 0: an empty file from before the first release
    result = cli.invoke(main, ["--db", str(path), "init"])
    assert f"schema version 0 -> {store.SCHEMA_VERSION}" in result.output


def test_serve_refuses_without_secret_key(cli, tmp_path):
    result = cli.invoke(main, ["--db", str(tmp_path / "a.db"), "serve"])
    assert result.exit_code == 2
    assert "INTAKE_SECRET_KEY" in result.output


def test_serve_starts_waitress_with_dev_flag(cli, tmp_path, monkeypatch):
    calls = {}

    def fake_serve(app, **kwargs):
        calls.update(kwargs, app=app)

    monkeypatch.setattr("waitress.serve", fake_serve)
    result = cli.invoke(main, ["--db", str(tmp_path / "a.db"), "serve", "--dev", "--port", "5050"])
    assert result.exit_code == 0, result.output
    assert calls["port"] == 5050 and calls["host"] == "127.0.0.1"
    assert calls["app"].config["DB"] == str(tmp_path / "a.db")


def test_every_command_has_help_with_an_example(cli):
    for name, command in main.commands.items():
        commands = getattr(command, "commands", {name: command})
        for sub in commands.values():
            text = sub.get_help(__import__("click").Context(sub))
            assert "Example" in text, f"`intake {name} {sub.name}` --help has no example"
