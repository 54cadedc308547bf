"""The dossier's core records events and knows no consumer: no module of motcua.dossiers or
motcua.delivery imports motcua.notifications (tests may, to check what the consumer did)."""

import ast
from pathlib import Path

import motcua

PACKAGES = ("dossiers", "delivery")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_dossier_module_imports_notifications():
    root = Path(motcua.__file__).parent
    offenders = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "tests" in path.relative_to(root / package).parts:
                continue
            for module in _imports(path):
                if module == "motcua.notifications" or module.startswith("motcua.notifications."):
                    offenders.append(f"{path.relative_to(root)} imports {module}")
    assert offenders == []


def test_the_check_sees_an_import(tmp_path):
    """The check can fail: a module with the import is caught, including one inside a function."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from motcua.notifications.services import x\n")
    assert "motcua.notifications.services" in _imports(sample)
