"""WordprocessingML namespaces and tag helper shared by the DOCX reader and its numbering renderer."""

from __future__ import annotations

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
OFFICE_DOC = "/officeDocument"

_w = f"{{{W}}}"


def _q(tag: str) -> str:
    return _w + tag
