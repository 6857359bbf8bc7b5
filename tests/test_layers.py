"""The layers at the top and the bottom: what bot.py, admin.py and config.py import.

import-linter (`make lint`, contracts in pyproject.toml) reads packages only, so it sees these
three modules from their importers; what they import themselves is checked here.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {p.parent.name for p in ROOT.glob("*/__init__.py")}
MODULES = {p.stem for p in ROOT.glob("*.py")}


def project_imports(name: str) -> set[str]:
    """The project's top-level packages and modules that `name`.py imports, anywhere in it."""
    tree = ast.parse((ROOT / f"{name}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & (PACKAGES | MODULES)


def test_the_packages_and_modules_are_found() -> None:
    assert {"runtime", "flows", "store", "standins", "tests"} <= PACKAGES
    assert {"bot", "admin", "config"} <= MODULES


def test_config_is_the_bottom_layer_and_imports_nothing_of_the_project() -> None:
    assert project_imports("config") == set()


def test_admin_imports_no_stand_in_demo_or_the_running_bot() -> None:
    assert not project_imports("admin") & {"standins", "demo", "bench", "tests", "bot", "runtime"}


def test_bot_reaches_the_stand_ins_only_through_the_demo() -> None:
    imported = project_imports("bot")
    assert not imported & {"standins", "bench", "tests"}
    assert {"config", "runtime", "admin", "demo"} <= imported


def test_the_readmes_layout_map_names_every_top_level_entry() -> None:
    """Everything at the top of the repository is in the README's layout map, and nothing else."""
    try:
        listed = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    tracked = {path.split("/")[0] for path in listed} - {"README.md", ".gitignore"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    named = set()
    for cell in re.findall(r"^\| ([^|]+) \|", layout, re.M):
        for path in re.findall(r"`([^`]+)`", cell):
            named.update(
                {p.name for p in ROOT.glob(path.rstrip("/"))} if "*" in path else {path.rstrip("/")}
            )
    assert tracked <= named, f"not in the README's layout map: {sorted(tracked - named)}"
    assert named <= tracked, (
        f"in the layout map but not in the repository: {sorted(named - tracked)}"
    )


PRODUCT = ("runtime", "handlers", "flows", "poller", "delivery", "store", "render", "commands")
PRODUCT += ("policy", "orchestrator", "identity", "model")
# bot.py starts the demo only when asked: the demo brings the stand-ins, which a running bot
# must never load (the import-linter contract `standins`).
LATE_IMPORTS_ALLOWED = {("bot.py", "demo.console")}


def late_imports(path: Path) -> set[str]:
    """Modules imported inside a function or class of `path`, not at its top."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            else:
                found.add("." * node.level + (node.module or ""))
    return found


def test_product_code_imports_at_the_top_of_each_module() -> None:
    """No function-level imports: what a module needs shows in its first lines, and an import
    cycle cannot hide inside a function (import-linter's `acyclic` contract then sees it)."""
    files = [ROOT / "bot.py", ROOT / "admin.py", ROOT / "config.py"]
    files += [path for package in PRODUCT for path in sorted((ROOT / package).rglob("*.py"))]
    late = {
        (str(path.relative_to(ROOT)), module) for path in files for module in late_imports(path)
    }
    assert late == LATE_IMPORTS_ALLOWED
