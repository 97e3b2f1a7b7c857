"""X-04 on a pair whose text is too short to compare: 无法判断 with its reason, never a silent pass
(the 跨年 sheet read the absence of both a finding and a doubt as “checked”)."""

from __future__ import annotations

from support import run_case


def test_short_text_is_not_assessable_with_its_reason():
    case = {
        "year": 2023,
        "previous": {"year": 2022, "report": {"narrative": "2022年本机关认真落实条例。"}},
        "report": {"narrative": "2023年本机关认真落实条例。"},
    }
    result = run_case(case)
    assert not [f for f in result.findings if f.rule == "X-04"]
    entry = next(n for n in result.not_assessable if n.rule == "X-04")
    assert entry.reasons == {"正文": "本年或上一年度报告的正文过短，无法比较正文是否雷同"}


def test_long_texts_are_compared_without_doubt():
    text = "本机关深入贯彻落实政府信息公开条例，扎实推进主动公开、依申请公开和平台建设各项工作。" * 6
    case = {
        "year": 2023,
        "previous": {"year": 2022, "cells": {"t2.licensing.decisions": 3}, "report": {"narrative": text}},
        "cells": {"t2.licensing.decisions": 4},
        "report": {"narrative": text},
    }
    result = run_case(case)
    assert [f.kind for f in result.findings if f.rule == "X-04"] == ["narrative"]
    assert not [n for n in result.not_assessable if n.rule == "X-04"]
