"""Inspection checklists per source kind: only the kind's items, each answered true or false."""

from __future__ import annotations

import pytest

from gisgrid.errors import InvalidInput
from gisgrid.sources.checklists import CHECKLISTS, answers, checklist
from gisgrid.sources.models import KINDS


def test_every_source_kind_has_a_checklist():
    assert set(CHECKLISTS) == set(KINDS)
    assert all(checklist(kind) for kind in KINDS)
    assert checklist("no-such-kind") == checklist("other")


def test_answers_from_a_mapping_or_form_json():
    assert answers("catering", {"隔油池正常使用": True}) == {"隔油池正常使用": True}
    assert answers("catering", '{"隔油池正常使用": false}') == {"隔油池正常使用": False}
    assert answers("catering", None) == {} and answers("catering", "") == {}


@pytest.mark.parametrize(
    "raw, why",
    [
        ({"围挡完整": True}, "不是该类污染源的检查项"),  # a construction-site item on a restaurant
        ({"隔油池正常使用": "是"}, "true/false"),
        (["隔油池正常使用"], "true/false"),
        ("{not json", "不是有效的 JSON"),
    ],
)
def test_refused_answers_name_the_field(raw, why):
    with pytest.raises(InvalidInput) as err:
        answers("catering", raw)
    assert err.value.message.startswith("checklist: ") and why in err.value.message
