"""Word list numbering (numbering.xml) rendered as Word displays it: 一、 （一） 1. ① 甲 …, so headings keep
their numerals when the document numbers them automatically."""

from __future__ import annotations

from validator.readers.docx.ooxml import _q
from validator.readers.safety import parse_xml

_PPR, _PSTYLE, _NUMPR, _NUMID, _ILVL, _VAL = (
    _q(t) for t in ("pPr", "pStyle", "numPr", "numId", "ilvl", "val")
)
_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _chinese(n: int, digits: str = _CN_DIGITS, ten: str = "十", hundred: str = "百") -> str:
    """1 → 一, 10 → 十, 15 → 十五, 21 → 二十一, 105 → 一百零五, 110 → 一百一十 (legal: 壹拾…)."""
    if n <= 0 or n >= 1000:
        return str(n)
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        head = "" if tens == 1 and digits is _CN_DIGITS else digits[tens]
        return head + ten + (digits[ones] if ones else "")
    h, rest = divmod(n, 100)
    out = digits[h] + hundred
    if rest == 0:
        return out
    if rest < 10:
        return out + digits[0] + digits[rest]
    tens, ones = divmod(rest, 10)
    return out + digits[tens] + ten + (digits[ones] if ones else "")


def _roman(n: int) -> str:
    vals = (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


def _letters(n: int) -> str:
    if n <= 0:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    if fmt in ("decimal", "decimalZero") or not fmt:
        return f"{n:02d}" if fmt == "decimalZero" and n < 10 else str(n)
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
        "ideographDigital",
        "japaneseCounting",
    ):
        return _chinese(n)
    if fmt == "chineseLegalSimplified":
        return _chinese(n, _CN_LEGAL, "拾", "佰")
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return _DIZHI[(n - 1) % 12] if n > 0 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle"):
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return f"{n}."
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


class _Numbering:
    """Renders w:numPr list labels (一、 （一） 1.) in document order, as Word would display them."""

    def __init__(self, ctx):  # the reader context: .part(name) and .z (the SafeZip)
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # numId -> ilvl -> (start, fmt, text)
        self.style_num: dict[str, tuple[str, int]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.abstract_of: dict[str, str] = {}
        self.overrides: dict[str, dict[int, int]] = {}  # numId -> ilvl -> restart value
        self.used: set[str] = set()
        self._abstracts: dict[str, object] = {}  # abstractNumId -> its element (the last of an id counts)
        self._abstract_levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self._nums: dict[str, list] = {}  # numId -> its w:num elements, in document order
        part = ctx.part("/numbering")
        if part is None:
            return
        root = parse_xml(ctx.z.read(part), part)
        for an in root.iter(_q("abstractNum")):
            self._abstracts[an.get(_q("abstractNumId"))] = an
        for num in root.iter(_q("num")):
            if num.get(_q("numId")) is not None and num.find(_q("abstractNumId")) is not None:
                self._nums.setdefault(num.get(_q("numId")), []).append(num)
        spart = ctx.part("/styles")
        if spart is not None:
            sroot = parse_xml(ctx.z.read(spart), spart)
            based: dict[str, str] = {}
            own: dict[str, tuple[str | None, int | None]] = {}
            for st in sroot.iter(_q("style")):
                sid = st.get(_q("styleId"))
                b = st.find(_q("basedOn"))
                if b is not None:
                    based[sid] = b.get(_q("val"))
                numpr = st.find(_q("pPr") + "/" + _q("numPr"))
                if numpr is not None:
                    nid = numpr.find(_q("numId"))
                    il = numpr.find(_q("ilvl"))
                    own[sid] = (
                        nid.get(_q("val")) if nid is not None else None,
                        _int(il.get(_q("val")), 0) if il is not None else None,
                    )
            for sid in list(own) + list(based):
                seen = set()
                s = sid
                nid, il = None, None
                while s and s not in seen:
                    seen.add(s)
                    if s in own:
                        n2, i2 = own[s]
                        nid = nid if nid is not None else n2
                        il = il if il is not None else i2
                    s = based.get(s)
                if nid is not None:
                    self.style_num[sid] = (nid, il or 0)

    def _levels_of(self, nid: str) -> dict[int, tuple[int, str, str]]:
        """A list's levels, rendered from numbering.xml the first time a paragraph uses it (documents
        carry many lists they never use)."""
        if nid in self.levels:
            return self.levels[nid]
        for num in self._nums[nid]:
            aid = num.find(_q("abstractNumId")).get(_q("val"))
            if aid not in self._abstract_levels:
                an = self._abstracts.get(aid)
                self._abstract_levels[aid] = {} if an is None else dict(_levels(an))
            lv = dict(self._abstract_levels[aid])
            for ov in num.iter(_q("lvlOverride")):
                ilvl = _int(ov.get(_q("ilvl")), 0)
                lvl = ov.find(_q("lvl"))
                if lvl is not None:
                    lv.update(dict(_levels_from([lvl])))
                so = ov.find(_q("startOverride"))
                if so is not None and ilvl in lv:
                    start, fmt, text = lv[ilvl]
                    lv[ilvl] = (_int(so.get(_q("val")), start), fmt, text)
                    self.overrides.setdefault(nid, {})[ilvl] = lv[ilvl][0]
            self.levels[nid] = lv
            self.abstract_of[nid] = aid
        return self.levels[nid]

    def label(self, p) -> str:
        if not self._nums:
            return ""
        ppr = p.find(_PPR)
        if ppr is None:
            return ""
        nid, ilvl = None, None
        style = numpr = None
        for child in ppr:  # one pass over the paragraph's properties (the first of each kind counts)
            tag = child.tag
            if tag == _PSTYLE:
                style = child if style is None else style
            elif tag == _NUMPR:
                numpr = child if numpr is None else numpr
        if style is not None and style.get(_VAL) in self.style_num:
            nid, ilvl = self.style_num[style.get(_VAL)]
        if numpr is not None:
            n = numpr.find(_NUMID)
            i = numpr.find(_ILVL)
            if n is not None:
                nid = n.get(_VAL)
            if i is not None:
                ilvl = _int(i.get(_VAL), 0)
        if not nid or nid == "0" or nid not in self._nums:
            return ""
        ilvl = ilvl or 0
        lv = self._levels_of(nid)
        if ilvl not in lv:
            return ""
        # lists sharing an abstractNum continue each other's numbering unless a startOverride restarts them
        key = self.abstract_of.get(nid, nid)
        counters = self.counters.setdefault(key, {})
        if nid not in self.used:
            self.used.add(nid)
            for lvl_i in self.overrides.get(nid, {}):
                counters.pop(lvl_i, None)
        counters[ilvl] = counters.get(ilvl, lv[ilvl][0] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        _start, fmt, text = lv[ilvl]
        if fmt == "bullet":
            return ""
        out = text
        for k in range(9):
            token = f"%{k + 1}"
            if token in out:
                if k in lv:
                    value = counters.get(k, lv[k][0])
                    out = out.replace(token, format_number(value, lv[k][1]))
                else:
                    out = out.replace(token, "")
        return out


def _levels(an):
    return _levels_from(an.findall(_q("lvl")))


def _levels_from(lvls):
    for lvl in lvls:
        ilvl = _int(lvl.get(_q("ilvl")), 0)
        start_el = lvl.find(_q("start"))
        fmt_el = lvl.find(_q("numFmt"))
        text_el = lvl.find(_q("lvlText"))
        start = _int(start_el.get(_q("val")), 1) if start_el is not None else 1
        fmt = fmt_el.get(_q("val")) if fmt_el is not None else "decimal"
        text = text_el.get(_q("val")) if text_el is not None else ""
        yield ilvl, (start, fmt or "decimal", text or "")


def _int(v, default: int) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return default
