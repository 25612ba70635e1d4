"""`intake demo` gives a newcomer a living system: claims, duplicates folded into persons,
an affected list with all three statuses, and staff logins that work."""

from __future__ import annotations

from click.testing import CliRunner

from intake import store
from intake.cli import main
from intake.store import staff as store_staff


def test_demo_fills_a_living_system(tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_INSTANCE", str(tmp_path / "instance"))
    path = tmp_path / "demo.db"
    runner = CliRunner()
    result = runner.invoke(
        main, ["--db", str(path), "demo", "--people", "120", "--accounts", "800"]
    )
    assert result.exit_code == 0, result.output
    db = store.connect(path)
    submissions = db["submissions"].count
    persons = db.execute(
        "SELECT COUNT(DISTINCT person_id) FROM submissions_with_matches"
    ).fetchone()[0]
    assert submissions > 120 and persons <= 125  # duplicates folded into persons
    statuses = {
        r[0] for r in db.execute("SELECT DISTINCT account_status FROM submissions_with_matches")
    }
    assert {"verified", "unverified"} <= statuses
    assert db["accounts"].count >= 800
    for email, _role, password in (
        ("admin@demo.test", "admin", "demo-admin-password"),
        ("paralegal@demo.test", "paralegal", "demo-paralegal-password"),
    ):
        assert email in result.output and password in result.output
        assert store_staff.get_user_by_email(db, email)["active"] == 1
    assert "CL-" not in result.output  # no claim data printed

    again = runner.invoke(main, ["--db", str(path), "demo", "--if-empty"])
    assert again.exit_code == 0 and "already" in again.output
    assert store.connect(path)["submissions"].count == submissions
