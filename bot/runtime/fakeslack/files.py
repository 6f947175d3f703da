"""Slack's two-step upload (``files.getUploadURLExternal``, POST the bytes, ``files.completeUploadExternal``),
kept so a test can read what an exported report contained."""

from __future__ import annotations

import json
import time

from bot.runtime.fakeslack.records import Answer, JsonDict
from bot.runtime.fakeslack.state import State

UPLOAD_PREFIX = "/upload/"


class FileMethods(State):
    def _receive_upload(self, path: str, body: bytes) -> Answer:
        """The upload URL that files.getUploadURLExternal hands out: keep the bytes under the file id."""
        with self._cond:
            self.uploads[path[len(UPLOAD_PREFIX):]] = body
        return Answer(200, b"OK - " + str(len(body)).encode(), content_type="text/plain")

    def _files_upload_url(self, params: JsonDict) -> JsonDict:
        if not params.get("filename") or not str(params.get("length") or "").isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._next_id("F")
        self.upload_names[file_id] = str(params["filename"])
        return {"ok": True, "upload_url": f"{self.base_url}{UPLOAD_PREFIX}{file_id}", "file_id": file_id}

    def _files_complete_upload(self, params: JsonDict) -> JsonDict:
        files = params.get("files")
        if isinstance(files, str):
            files = json.loads(files)
        if not files or any(f.get("id") not in self.uploads for f in files):
            return {"ok": False, "error": "file_not_found"}
        if str(params.get("channel_id") or "C")[:1] not in ("C", "G", "D", "Z"):  # as Slack: no user ids
            return {"ok": False, "error": "invalid_arguments"}
        shared = [{"id": f["id"], "title": f.get("title") or "", "name": self.upload_names.get(f["id"], ""),
                   "channel": params.get("channel_id"), "created": int(time.time()),
                   "content": self.uploads[f["id"]].decode("utf-8", errors="replace")} for f in files]
        self.shared_files.extend(shared)
        return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in shared]}

    def _files_list(self, params: JsonDict) -> JsonDict:
        """The files shared in a channel since `ts_from`, newest first, as Slack lists them."""
        channel, since = params.get("channel"), float(params.get("ts_from") or 0)
        with self._cond:
            found = [{"id": f["id"], "name": f["name"], "title": f["title"], "created": f["created"],
                      "channels": [f["channel"]]} for f in reversed(self.shared_files)
                     if (channel is None or f["channel"] == channel) and f["created"] >= since]
        return {"ok": True, "files": found, "paging": {"count": len(found), "total": len(found), "page": 1, "pages": 1}}
