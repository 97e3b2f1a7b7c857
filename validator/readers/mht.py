"""MHT / MHTML ("web archive", Word's "single file web page", often saved with a .doc name) → its HTML part."""

from __future__ import annotations

import codecs

from validator.readers.safety import fail

_GB = {"gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "euc-cn"}


def html_from_mht(data: bytes) -> str:
    """The text of the first text/html part of a MIME web archive."""
    import email
    from email import policy

    try:
        msg = email.message_from_bytes(data, policy=policy.compat32)
    except Exception as e:  # noqa: BLE001 - the email parser raises many kinds of errors on junk
        raise fail("MHT文件无法解析", "cannot parse MHT file", e) from None
    for part in msg.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes | bytearray):
            continue
        charset = (part.get_content_charset() or "").lower()
        if charset in _GB:
            charset = "gb18030"
        if charset:
            try:
                codecs.lookup(charset)
                return bytes(payload).decode(charset, errors="replace")
            except LookupError:
                pass
        from validator.readers.html import decode_html

        return decode_html(bytes(payload))[0]
    raise fail("MHT文件中没有HTML内容", "MHT file has no HTML part")


def pictures_from_mht(data: bytes) -> dict[str, bytes]:
    """The pictures a web archive holds (image/* parts), by their Content-Location and by its last part,
    so that an <img src> of the HTML part finds its picture (a table published as an image)."""
    import email
    from email import policy

    try:
        msg = email.message_from_bytes(data, policy=policy.compat32)
    except Exception:  # noqa: BLE001 - already parsed once by html_from_mht; nothing more to say here
        return {}
    out: dict[str, bytes] = {}
    for part in msg.walk():
        if part.get_content_maintype() != "image":
            continue
        payload = part.get_payload(decode=True)
        location = (part.get("Content-Location") or "").strip()
        if not isinstance(payload, bytes | bytearray) or not location:
            continue
        out.setdefault(location, bytes(payload))
        out.setdefault(location.rsplit("/", 1)[-1], bytes(payload))
    cid = {(p.get("Content-ID") or "").strip("<> "): p for p in msg.walk() if p.get("Content-ID")}
    for key, part in cid.items():
        payload = part.get_payload(decode=True)
        if part.get_content_maintype() == "image" and isinstance(payload, bytes | bytearray):
            out.setdefault(f"cid:{key}", bytes(payload))
    return out
