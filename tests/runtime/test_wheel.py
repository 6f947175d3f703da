"""The built wheel stands on its own: installed into a fresh virtualenv, `safetybot demo` and `safetybot init`
run from an empty directory, with no source checkout anywhere on the path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "handlers", "storage")


def run(*args: str | Path, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd)}  # no PYTHONPATH: only what is installed
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout, check=False)


def build_wheel(tmp: Path) -> Path:
    """`pip wheel` on a copy of the sources, so no build/ directory is left in (or reused from) the checkout."""
    source = tmp / "source"
    for name in SOURCES:
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    built = run(sys.executable, "-m", "pip", "wheel", source, "-w", tmp / "wheels", "--no-deps", "-q",
                "--disable-pip-version-check", cwd=tmp)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp / "wheels").glob("safetybot-*.whl")
    return wheel


def fresh_venv(tmp: Path, wheel: Path) -> Path:
    """A new venv with the wheel installed; its dependencies are read from this test run's site-packages.

    Installed before that path is added (or pip would find this environment's editable install and skip
    it); and added as a bare path entry, not a site dir, so the editable install's hook is not loaded and
    `import bot` can only find the wheel's copy. Keeps the test fast: nothing is downloaded.
    """
    venv = tmp / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q",
                    "--disable-pip-version-check", wheel, cwd=tmp)
    assert installed.returncode == 0, installed.stderr
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp).stdout.strip()
    Path(site, "_project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv


def test_the_installed_wheel_plays_the_demo_and_writes_the_templates_from_an_empty_directory(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    venv = fresh_venv(tmp_path, wheel)
    empty = tmp_path / "empty"
    empty.mkdir()

    where = run(venv / "bin" / "python", "-c", "import bot.runtime.fakeslack as f; print(f.__file__)", cwd=empty)
    assert where.stdout.strip().startswith(str(venv)), where  # the wheel's copy, not the checkout

    demo = run(venv / "bin" / "safetybot", "demo", cwd=empty, timeout=60)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    out = demo.stdout
    assert "── 7. closed: HZ-" in out and " is closed" in out, out
    assert "── 9. reminder:" in out and "[ 登记完成 ]" in out, out  # Done, for its owner (zh-CN)
    assert "── 10. incident:" in out and "INC-" in out, out
    assert list(empty.iterdir()) == []  # the demo leaves nothing behind

    init = run(venv / "bin" / "safetybot", "init", cwd=empty)
    assert init.returncode == 0, init.stderr
    assert (empty / "org.yml").read_bytes() == (REPO / "org.example.yml").read_bytes()
    assert (empty / "manifest.yml").read_bytes() == (REPO / "manifest.yml").read_bytes()
    assert (empty / "manifest.socket.yml").read_bytes() == (REPO / "manifest.socket.yml").read_bytes()
