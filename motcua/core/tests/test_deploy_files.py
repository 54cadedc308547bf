"""The shipped deployment files stay true: the environment example and the operator's guide name
every variable the code reads, and the systemd units pass `systemd-analyze verify`."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
UNITS = ROOT / "deploy" / "systemd"
READ = re.compile(r"""(?:env_(?:str|int|bool|list)\(\s*|os\.environ(?:\.get)?[\[(]\s*)["']([A-Z][A-Z0-9_]+)["']""")
# Read by tests and benchmarks only, or chosen by the units and scripts rather than the operator.
NOT_FOR_OPERATORS = {"MOTCUA_TEST_POSTGRES_HOST", "MOTCUA_TEST_POSTGRES_PORT", "DJANGO_SETTINGS_MODULE"}


def _variables_read() -> set[str]:
    found = set()
    for path in (ROOT / "motcua").rglob("*.py"):
        if "tests" in path.parts or path.name in {"testing.py", "stack.py"}:
            continue
        found |= set(READ.findall(path.read_text()))
    return found - NOT_FOR_OPERATORS


def test_every_variable_read_is_in_the_env_example_and_the_guide() -> None:
    variables = _variables_read()
    assert {"DJANGO_SECRET_KEY", "POSTGRES_CONN_MAX_AGE", "MOTCUA_VAR_DIR", "MOTCUA_TRUSTED_PROXIES"} <= variables
    example = (ROOT / "deploy" / "motcua.env.example").read_text()
    guide = (ROOT / "docs" / "operations.md").read_text()
    assert sorted(v for v in variables if not re.search(rf"^#?{v}=", example, re.MULTILINE)) == []
    assert sorted(v for v in variables if f"`{v}`" not in guide) == []


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_units_verify(tmp_path: Path) -> None:
    # A root where the units' programs exist, so that verify checks the units and not this machine.
    (tmp_path / "lib" / "systemd").mkdir(parents=True)
    shutil.copytree("/lib/systemd/system", tmp_path / "lib" / "systemd" / "system", symlinks=True)
    for program in (".venv/bin/gunicorn", ".venv/bin/python", "scripts/backup.sh"):
        path = tmp_path / "opt" / "motcua" / program
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    (tmp_path / "bin").mkdir()
    shutil.copy("/bin/kill", tmp_path / "bin" / "kill")
    installed = tmp_path / "etc" / "systemd" / "system"
    shutil.copytree(UNITS, installed)
    units = sorted(p.name for p in UNITS.iterdir())
    assert {"motcua-web.service", "motcua-worker@.service", "motcua.target"} <= set(units)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={tmp_path}", *[f"/etc/systemd/system/{u}" for u in units]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
