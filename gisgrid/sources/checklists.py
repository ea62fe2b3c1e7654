"""On-site inspection checklists, one per source kind (the phone app's 现场检查 form).

Generic items drawn from the seeds' 日常巡查 duties (扬尘、污水、油烟、废气、固废、畜禽粪污、饮用水源保护区);
a deployment that needs other items replaces this table. Answers are stored with the inspection
(``source_inspection.checklist``: item → true/false), never judged by the server: the inspector's
``violation`` is what opens a case.
"""

from __future__ import annotations

import json

from gisgrid.errors import InvalidInput

_COMMON = ("排污许可证在有效期内", "污染防治设施正常运行", "无私设暗管、偷排漏排")
CHECKLISTS: dict[str, tuple[str, ...]] = {
    "enterprise": (*_COMMON, "危险废物规范贮存并有转移联单", "废气无组织排放已收集处理"),
    "construction_site": ("围挡完整", "裸土和物料苫盖", "出入车辆冲洗", "土方作业湿法施工", "渣土车密闭运输"),
    "livestock_farm": ("粪污贮存设施防渗防雨", "粪污资源化利用或达标排放", "无向水体直排"),
    "drinking_water_source": ("保护区标志完整", "保护区内无排污口", "无垃圾堆放和违法建设"),
    "catering": ("油烟净化设施正常使用", "油烟净化设施定期清洗", "隔油池正常使用"),
    "vehicle_repair": ("喷漆在密闭房间内进行", "废机油等危险废物规范贮存", "洗车废水经处理排放"),
    "other": _COMMON,
}


def checklist(kind: str) -> tuple[str, ...]:
    """The items for a source of ``kind`` (the common items for an unknown kind)."""
    return CHECKLISTS.get(kind, _COMMON)


def answers(kind: str, raw) -> dict[str, bool]:
    """The answers of a checklist: only its items, each true or false; 400 naming ``checklist`` otherwise."""
    if raw in (None, ""):
        return {}
    if isinstance(raw, str):  # a multipart form carries the answers as JSON text
        try:
            raw = json.loads(raw)
        except ValueError:
            raise InvalidInput("checklist: 不是有效的 JSON (checklist is not valid JSON)") from None
    if not isinstance(raw, dict) or not all(isinstance(v, bool) for v in raw.values()):
        raise InvalidInput("checklist: 应为 {检查项: true/false} (checklist must map items to true/false)")
    unknown = set(raw) - set(checklist(kind))
    if unknown:
        raise InvalidInput(f"checklist: 不是该类污染源的检查项：{'、'.join(sorted(unknown))} (unknown items)")
    return dict(raw)
