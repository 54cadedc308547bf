"""scripts/lib.sh: an unusable .venv/ is rebuilt, and the allowed hosts and the public address of
links follow the bound address."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _copy_of_lib(tmp_path: Path) -> Path:
    # lib.sh works on the .venv/ next to its own scripts/ folder: a copy keeps the real one safe.
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "lib.sh", tmp_path / "scripts" / "lib.sh")
    return tmp_path / "scripts" / "lib.sh"


def _bash(lib: Path, command: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f'source "$0"; {command}', str(lib), *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "MOTCUA_PUBLIC_URL")},
    )


def _pip_runs(venv: Path) -> bool:
    return subprocess.run([venv / "bin" / "python", "-m", "pip", "--version"], capture_output=True).returncode == 0


def test_unusable_venv_is_rebuilt_and_an_installed_one_left_alone(tmp_path: Path) -> None:
    # One sequence, because every rebuild costs a venv with pip (seconds each).
    lib = _copy_of_lib(tmp_path)
    venv = tmp_path / ".venv"
    lock = tmp_path / "empty.lock"
    lock.write_text("")
    # What `python3 -m venv` leaves on Debian without python3-venv: a python, no pip.
    subprocess.run(["python3", "-m", "venv", "--without-pip", venv], check=True)
    assert not _pip_runs(venv)

    first = _bash(lib, 'python_env "$1"', str(lock))

    assert first.returncode == 0, first.stderr
    assert "Rebuilding the unusable .venv/" in first.stdout
    assert _pip_runs(venv)
    stamp = venv / ".installed-empty.lock"
    installed_at = stamp.stat().st_mtime_ns

    again = _bash(lib, 'python_env "$1"', str(lock))

    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    assert stamp.stat().st_mtime_ns == installed_at

    # An install that fails half-way writes no stamp, and the next run starts from a new venv.
    broken_lock = tmp_path / "broken.lock"
    broken_lock.write_text("./no-such-package-folder\n")
    failed = _bash(lib, 'python_env "$1"', str(broken_lock))

    assert failed.returncode != 0
    assert not (venv / ".installed-broken.lock").exists()

    retried = _bash(lib, 'python_env "$1"', str(lock))

    assert retried.returncode == 0, retried.stderr
    assert "Rebuilding the unusable .venv/" in retried.stdout
    assert (venv / ".installed-empty.lock").exists()

    # The interpreter the venv points at is gone (say, a Python upgrade): rebuilt too.
    (venv / "bin" / "python").unlink()
    (venv / "bin" / "python").symlink_to("/nonexistent/python3")
    repaired = _bash(lib, 'python_env "$1"', str(lock))

    assert repaired.returncode == 0, repaired.stderr
    assert "Rebuilding the unusable .venv/" in repaired.stdout
    assert _pip_runs(venv)


def test_allowed_hosts_name_the_machine_on_all_interfaces_and_never_everything(tmp_path: Path) -> None:
    lib = _copy_of_lib(tmp_path)

    everywhere = _bash(lib, 'allowed_hosts "$1"', "0.0.0.0").stdout.strip().split(",")
    one_address = _bash(lib, 'allowed_hosts "$1"', "192.0.2.77").stdout.strip().split(",")

    assert {"127.0.0.1", "localhost", socket.gethostname()} <= set(everywhere)
    assert "*" not in everywhere and "0.0.0.0" not in everywhere
    assert sorted(one_address) == ["127.0.0.1", "192.0.2.77", "localhost"]


# What the worker prints without a request: the link of a receipt's QR code and of a message, and
# the verification address on a result.
LINKS = (
    "import django; django.setup(); "
    "from motcua.dossiers.models import Dossier; from motcua.dossiers.tracking import tracking_url; "
    "from motcua.documents.services import verification_url; "
    "print(tracking_url(Dossier(code='H15-0001'))); print(verification_url('ABC123'))"
)


def test_links_made_without_a_request_point_where_run_sh_serves_the_product(tmp_path: Path) -> None:
    lib = _copy_of_lib(tmp_path)
    links = _bash(
        lib,
        'MOTCUA_PUBLIC_URL=$(public_url "$1" "$2") DJANGO_SETTINGS_MODULE=motcua.conf.embedded "$3" -c "$4"',
        "127.0.0.1",
        "8765",
        sys.executable,
        LINKS,
    )
    assert links.returncode == 0, links.stderr
    assert links.stdout.split() == [
        "http://127.0.0.1:8765/tra-cuu/H15-0001/",
        "http://127.0.0.1:8765/xac-thuc/ABC123/",
    ]

    everywhere = _bash(lib, 'public_url "$1" "$2"', "0.0.0.0", "8765").stdout.strip()
    host = everywhere.removeprefix("http://").removesuffix(":8765")
    assert everywhere.endswith(":8765") and host not in ("0.0.0.0", "127.0.0.1", "localhost", "")
    assert host in _bash(lib, 'allowed_hosts "$1"', "0.0.0.0").stdout.strip().split(","), "served there"

    proxy = _bash(lib, 'MOTCUA_PUBLIC_URL=https://dvc.example public_url "$1" "$2"', "0.0.0.0", "8765")
    assert proxy.stdout.strip() == "https://dvc.example", "the operator's own address wins"
