"""The files a new installation starts from, shipped in the wheel: ``org.yml`` is the repository's
``org.example.yml``, ``manifest.yml`` (HTTP mode) and ``manifest.socket.yml`` (Socket Mode) its own two
manifests (tests/runtime/test_templates.py keeps them identical). ``safetybot init`` writes them out;
``safetybot demo`` plays with the org template's people."""

from __future__ import annotations

from importlib.resources import files

ORG = "org.yml"
MANIFEST = "manifest.yml"
SOCKET_MANIFEST = "manifest.socket.yml"
NAMES = (ORG, MANIFEST, SOCKET_MANIFEST)


def template(name: str) -> str:
    """The text of a shipped template, exactly as in the repository."""
    return files(__package__).joinpath(name).read_text(encoding="utf-8")
