"""An upload handler for evidence: the file goes to an unnamed private temporary file (never
held in memory, never in the system's shared temporary folder) and the upload stops at the
size limit as its bytes arrive, before the rest is read."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

from inquest.private import private_folder

#: The private folder under the data folder where uploads wait while they arrive.
INCOMING = "evidence-incoming"


class BoundedUploadHandler(FileUploadHandler):
    """Write each uploaded file to a private temporary file; stop past ``max_bytes``."""

    def __init__(self, request: HttpRequest, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_large = False
        self._file: Any = None
        self._received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        folder = private_folder(Path(settings.DATA_DIR) / INCOMING)
        # Unnamed (O_TMPFILE where available): nothing is left behind if the process dies.
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - handed to the form
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._received += len(raw_data)
        if self._received > self.max_bytes:
            self.too_large = True
            self._file.close()
            raise StopUpload(connection_reset=True)
        self._file.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        self._file.seek(0)
        return UploadedFile(
            file=self._file,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
        )
