"""``intake users ...``: thin commands over store.staff, audited by id."""

from __future__ import annotations

import json

import pytest
import staff_helpers  # noqa: F401  (cheap scrypt cost for tests)
from click.testing import CliRunner

from intake import store
from intake.cli import main
from intake.store import staff as users


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.delenv("INTAKE_DB", raising=False)
    monkeypatch.setenv("INTAKE_INSTANCE", str(tmp_path / "instance"))
    path = str(tmp_path / "users.db")

    def run(*args, input=None):
        return CliRunner().invoke(main, ["--db", path, *args], input=input)

    run.db = lambda: store.connect(path)
    return run


def test_add_reads_password_from_stdin_and_hashes_it(cli):
    result = cli(
        "users", "add", "Ana@Firm.example", "--role", "paralegal", input="a long password\n"
    )
    assert result.exit_code == 0, result.output
    user = users.get_user_by_email(cli.db(), "ana@firm.example")
    assert user["role"] == "paralegal" and user["password_hash"].startswith("scrypt:")
    assert users.verify_login(cli.db(), "ana@firm.example", "a long password").ok
    event = next(iter(cli.db().query("SELECT * FROM audit WHERE action = 'user_add'")))
    assert event["target"] == f"user:{user['id']}" and "ana" not in event["detail"]


def test_add_with_expiry(cli):
    result = cli("users", "add", "t@firm.example", "--role", "lawyer", "--expires", "2026-03-31",
                 input="a long password\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert users.get_user_by_email(cli.db(), "t@firm.example")["expires_at"].startswith(
        "2026-03-31T23:59:59"
    )


@pytest.mark.parametrize(
    "args,stdin,message",
    [
        (["users", "add", "x@firm.example", "--role", "paralegal"], "short\n", "at least 10"),
        (["users", "add", "x@firm.example", "--role", "boss"], "a long password\n", "boss"),
        (
            ["users", "add", "x@firm.example", "--role", "lawyer", "--expires", "soon"],
            "a long password\n",
            "not a date",
        ),  # fmt: skip
        (["users", "deactivate", "nobody@firm.example"], None, "no user"),
        (["users", "set-role", "nobody@firm.example", "lawyer"], None, "no user"),
    ],
)
def test_errors_are_clear(cli, args, stdin, message):
    result = cli(*args, input=stdin)
    assert result.exit_code != 0 and message in result.output


def test_duplicate_user_refused(cli):
    cli("users", "add", "a@firm.example", "--role", "admin", input="a long password\n")
    result = cli("users", "add", "A@firm.example", "--role", "admin", input="a long password\n")
    assert result.exit_code == 1 and "already exists" in result.output


def test_deactivate_set_role_and_list(cli):
    cli("users", "add", "a@firm.example", "--role", "paralegal", input="a long password\n")
    before = users.get_user_by_email(cli.db(), "a@firm.example")["session_version"]
    assert cli("users", "set-role", "a@firm.example", "lawyer").exit_code == 0
    assert cli("users", "deactivate", "a@firm.example").exit_code == 0
    user = users.get_user_by_email(cli.db(), "a@firm.example")
    assert (user["role"], user["active"], user["session_version"]) == ("lawyer", 0, before + 2)
    listing = cli("users", "list").output
    assert "a@firm.example" in listing and "lawyer" in listing and "deactivated" in listing
    actions = [
        (e["action"], json.loads(e["detail"]))
        for e in cli.db().query("SELECT * FROM audit ORDER BY id")
    ]
    assert ("user_role", {"role": "lawyer", "via": "cli"}) in actions
    assert ("user_deactivate", {"via": "cli"}) in actions


@pytest.mark.parametrize("command", ["add", "deactivate", "list", "set-role"])
def test_help_has_example(cli, command):
    result = cli("users", command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output
