"""The one masking of reporters' personal data (gisgrid/masking.py)."""

from __future__ import annotations

import pytest

from gisgrid.masking import mask_contact, mask_name, masked_reporter


@pytest.mark.parametrize(
    "name,masked",
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧***"),
        ("司马相如之", "司***"),
        ("李", "*"),
        (None, None),
        ("", ""),
    ],
)
def test_names(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    "contact,masked",
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("010-66123456", "010****3456"),
        ("66123456", "66****56"),
        ("12345", "****"),
        ("alice@example.com", "a***@example.com"),
        (" bob.li@mail.gov.cn ", "b***@mail.gov.cn"),
        ("微信 wx_abc", "微***"),
        (None, None),
    ],
)
def test_contacts(contact, masked):
    assert mask_contact(contact) == masked


def test_no_masked_value_contains_the_secret_part():
    for phone in ("13812345678", "15900001111", "18698765432"):
        assert phone[3:7] not in mask_contact(phone)[3:]


class _Case:
    def __init__(self, name, contact):
        self.reporter_name, self.reporter_contact = name, contact


def test_masked_reporter_offers_reveal_only_when_something_was_given():
    assert masked_reporter(_Case("王五", "13900001234"), True) == {
        "name": "王*",
        "contact": "139****1234",
        "may_reveal": True,
    }
    assert masked_reporter(_Case(None, None), True)["may_reveal"] is False
    assert masked_reporter(_Case("王五", None), False)["may_reveal"] is False
