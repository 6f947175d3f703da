"""The templates `safetybot init` writes are the repository's own files, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.runtime.templates import MANIFEST, NAMES, ORG, SOCKET_MANIFEST, template

REPO = Path(__file__).resolve().parents[2]
SOURCES = {ORG: REPO / "org.example.yml", MANIFEST: REPO / "manifest.yml",
           SOCKET_MANIFEST: REPO / "manifest.socket.yml"}


@pytest.mark.parametrize("name", NAMES)
def test_the_packaged_template_is_the_repository_file(name: str) -> None:
    packaged = Path(__file__).resolve().parents[2] / "bot" / "runtime" / "templates" / name
    assert packaged.read_bytes() == SOURCES[name].read_bytes(), (
        f"bot/runtime/templates/{name} differs from {SOURCES[name].name}: copy the root file over it")
    assert template(name) == SOURCES[name].read_text(encoding="utf-8")
