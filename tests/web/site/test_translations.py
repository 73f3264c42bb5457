"""Every string the workbench shows is translated into Persian: the messages Django's
``makemessages`` finds in the code and templates today, against the catalogue shipped."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import inquest.web

WEB = Path(inquest.web.__file__).resolve().parent
REQUIRED = bool(os.environ.get("CI") or os.environ.get("INQUEST_E2E"))


def _entries(po: str) -> list[tuple[str, str, bool]]:
    """(msgid, first msgstr, fuzzy) of each entry of a .po text (header left out)."""
    out = []
    for block in po.split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        text = "\n".join(line for line in lines if not line.startswith("#"))
        found = re.search(r'^msgid ((?:".*"\n?)+)', text, re.M)
        if found is None:
            continue
        msgid = "".join(re.findall(r'"(.*)"', found.group(1)))
        strs = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', text, re.M)
        msgstr = "".join(re.findall(r'"(.*)"', strs.group(1))) if strs else ""
        if msgid:
            out.append((msgid, msgstr, fuzzy))
    return out


@pytest.mark.slow
def test_no_message_is_left_untranslated_in_persian(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None:
        if REQUIRED:
            pytest.fail("xgettext (Debian's gettext) is needed to extract the messages")
        pytest.skip("xgettext is not installed")
    copy = tmp_path / "web"
    shutil.copytree(WEB, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "fa", "-i", "*/migrations/*"],
        cwd=copy,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "inquest.web.settings"},
        check=True,
        capture_output=True,
    )
    extracted = _entries((copy / "locale/fa/LC_MESSAGES/django.po").read_text("utf-8"))
    missing = sorted({msgid for msgid, msgstr, fuzzy in extracted if not msgstr or fuzzy})
    assert not missing, f"{len(missing)} message(s) without a Persian translation: {missing[:20]}"
