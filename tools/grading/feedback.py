"""Make nbgrader's feedback pages load nothing from the network.

nbgrader's feedback template (nbgrader/server_extensions/formgrader/templates/feedback) inlines
its CSS but loads MathJax from a CDN; a page given to a student must open offline.
"""
from __future__ import annotations

import re
from pathlib import Path

REMOTE = r"""(?:https?:)?//"""
REMOTE_SCRIPT = re.compile(rf"""<script\b[^>]*\bsrc\s*=\s*["']{REMOTE}[^"']*["'][^>]*>\s*</script>""", re.I)
REMOTE_LINK = re.compile(rf"""<link\b[^>]*\bhref\s*=\s*["']{REMOTE}[^"']*["'][^>]*>""", re.I)
ANY_REMOTE_LOAD = re.compile(rf"""<(?:script|link|img|iframe|source|video|audio)\b[^>]*\b(?:src|href)\s*=\s*["']{REMOTE}|@import\s+(?:url\()?["']?{REMOTE}""", re.I)


def make_offline(path: Path) -> None:
    """Remove remote scripts and stylesheets from an HTML page, in place; fail if any remote load is left."""
    text = path.read_text(encoding="utf-8")
    text = REMOTE_LINK.sub("", REMOTE_SCRIPT.sub("", text))
    left = ANY_REMOTE_LOAD.search(text)
    if left:
        raise ValueError(f"{path} still loads something from the network: {left.group(0)[:120]}")
    path.write_text(text, encoding="utf-8")
