"""A non-editable ``pip install .`` must still find the top-level templates/ (shipped as
``intake/_templates``) and the compiled translations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, intake
from pathlib import Path
root = intake.template_dir()
print(json.dumps({
    "template_dir": str(root),
    "templates": sorted(str(p.relative_to(root)) for p in root.rglob("*.html")),
    "package": str(Path(intake.__file__).parent),
}))
"""


def test_non_editable_install_ships_templates(tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        text=True,
    )
    found = json.loads(out.stdout)
    assert found["package"].startswith(str(target))
    assert found["template_dir"].startswith(str(target))
    expected = sorted(
        str(p.relative_to(ROOT / "templates")) for p in (ROOT / "templates").rglob("*.html")
    )
    assert expected, "templates/ has no templates"
    assert found["templates"] == expected
