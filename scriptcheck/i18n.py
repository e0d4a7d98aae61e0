"""Report labels in Chinese (default, for QA staff) and English (``--lang en``)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "pass": {"zh": "合格", "en": "PASS"},
    "fail": {"zh": "不合格", "en": "FAIL"},
    "error": {"zh": "读取错误", "en": "ERROR"},
    "n/a": {"zh": "不适用", "en": "n/a"},
    "score": {"zh": "得分", "en": "score"},
    "red_line": {"zh": "触犯高压线", "en": "RED LINE"},
    "suggestion": {"zh": "建议", "en": "suggestion"},
    "agent": {"zh": "坐席", "en": "agent"},
    "customer": {"zh": "客户", "en": "customer"},
    "unknown": {"zh": "未知", "en": "unknown"},
    "greeting": {"zh": "开场", "en": "greeting"},
    "service": {"zh": "服务", "en": "service"},
    "hold": {"zh": "等待", "en": "hold"},
    "closing": {"zh": "结束", "en": "closing"},
    "any": {"zh": "全程", "en": "call"},
    "segment": {"zh": "第{n}句", "en": "segment {n}"},
    "summary": {"zh": "批次汇总", "en": "Batch summary"},
    "calls": {"zh": "通话", "en": "calls"},
    "passed": {"zh": "合格", "en": "passed"},
    "failed": {"zh": "不合格", "en": "failed"},
    "errors": {"zh": "读取错误", "en": "input errors"},
    "red_lines": {"zh": "高压线", "en": "red lines"},
    "check": {"zh": "检查项", "en": "check"},
    "fail_count": {"zh": "不合格通话数", "en": "calls failing"},
    "fail_rate": {"zh": "不合格率", "en": "failure rate"},
    "mean_score": {"zh": "平均分", "en": "mean score"},
    "warning": {"zh": "提示", "en": "warning"},
    "by_agent": {"zh": "坐席指标", "en": "Per agent"},
    "aht": {"zh": "平均通话时长(秒)", "en": "mean handle time (s)"},
    "aht_p90": {"zh": "通话时长p90", "en": "handle time p90"},
    "silence": {"zh": "平均静音占比", "en": "mean silence ratio"},
    "rate": {"zh": "平均语速(字/分)", "en": "mean chars/min"},
    "advice": {"zh": "辅导建议,不计分", "en": "coaching, not scored"},
    # explanations attached to hits (matchers/base.note)
    "note.hold": {"zh": "等待 {gap} 秒", "en": "{gap} s wait"},
    "note.hold_untimed": {"zh": "宣告的等待", "en": "announced wait"},
    "note.homophone": {"zh": "同音匹配(ASR),建议复核", "en": "homophone match (ASR), please review"},
    "note.homophone_review": {"zh": "仅同音匹配,不判高压线,请人工复核",
                              "en": "heard only by sound: not a red line, needs human review"},
    "note.id_card": {"zh": "完整身份证号", "en": "full ID-card number"},
    "note.bank_card": {"zh": "完整银行卡号", "en": "full bank-card number"},
    "note.third_party_phone": {"zh": "他人手机号", "en": "another person's phone number"},
    "note.no_response": {"zh": "未按规范回应", "en": "the expected reply is missing"},
    "note.overlap": {"zh": "抢话 {secs} 秒", "en": "{secs} s overlap"},
    "note.count_max": {"zh": "说了 {n} 次,最多 {max} 次", "en": "said {n} times, at most {max} allowed"},
    "note.count_min": {"zh": "说了 {n} 次,至少应 {min} 次", "en": "said {n} times, at least {min} expected"},
    "note.condition_not_met": {"zh": "要求的条件未满足", "en": "the required condition is not met"},
    "note.gap": {"zh": "静默 {secs} 秒", "en": "{secs} s of silence"},
    "note.speech_rate": {"zh": "语速 {rate} 字/分钟", "en": "{rate} characters per minute"},
    "note.talk_ratio": {"zh": "坐席说话占比 {ratio}", "en": "agent talk share {ratio}"},
    "note.missing": {"zh": "缺少「{want}」", "en": "missing “{want}”"},
    "note.missing_closest": {"zh": "缺少「{want}」,最接近:{best} {score}",
                             "en": "missing “{want}”, closest: {best} {score}"},
}


def t(key: str, lang: str, **kw: object) -> str:
    entry = LABELS.get(key)
    text = entry.get(lang, entry["zh"]) if entry else key
    return text.format(**kw) if kw else text
