"""`safetybot init`: the files a new installation edits (org.yml, manifest.yml, manifest.socket.yml), written
into the current directory.

It never overwrites: an admin's org.yml holds their company's people, and a second `init` by mistake must
not replace it with placeholders. All files are checked before any is written, so a refusal leaves
the directory as it was.
"""

from __future__ import annotations

from pathlib import Path

from bot.runtime.templates import NAMES, template


class AlreadyThere(Exception):
    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists; safetybot init never overwrites (move it away to start afresh)")
        self.path = path


def write_starter_files(directory: Path) -> list[Path]:
    """Write org.yml and the two manifests into ``directory``; raises AlreadyThere naming the first one present."""
    paths = [directory / name for name in NAMES]
    for path in paths:
        if path.exists():
            raise AlreadyThere(path)
    for path in paths:
        with path.open("x", encoding="utf-8", newline="") as out:  # "x": fails rather than overwrite in a race
            out.write(template(path.name))
    return paths
