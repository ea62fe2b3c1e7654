"""The password complexity rule (等保2.0 身份鉴别), without a database: each rule refused with its Chinese message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gisgrid.auth import passwords
from gisgrid.auth.lockout import LastLogin
from gisgrid.auth.models import User
from gisgrid.errors import InvalidInput


@pytest.mark.parametrize(
    "password,used",
    [
        ("abcdefgh", ["小写字母"]),
        ("Abc12345", ["小写字母", "大写字母", "数字"]),
        ("网格-grid", ["小写字母", "符号"]),  # Chinese characters count as symbols
        ("", []),
    ],
)
def test_character_classes(password, used):
    assert passwords.classes_in(password) == used


def test_too_short_is_refused_naming_the_length():
    message = passwords.refusal("Ab1-x", "zhang")
    assert message.startswith("密码至少 8 位（当前 5 位）")


def test_the_minimum_length_is_a_setting():
    rules = passwords.Policy(min_length=12)
    assert passwords.refusal("Abcdef-1234", "zhang", rules).startswith("密码至少 12 位（当前 11 位）")
    assert passwords.refusal("Abcdef-12345", "zhang", rules) is None


@pytest.mark.parametrize("weak", ["abcdefgh1", "ABCDEFGH-", "12345678-", "abcdEFGH"])
def test_two_classes_are_refused_naming_the_rule_and_what_is_there(weak):
    message = passwords.refusal(weak, "zhang")
    assert message.startswith("密码须包含小写字母、大写字母、数字、符号四类中的至少三类（当前只有：")
    assert "、".join(passwords.classes_in(weak)) in message


@pytest.mark.parametrize("strong", ["abcdefg1-", "Abcdefg12", "ABCDEFG1-", "Abcdefgh-", "网格管理-Abc"])
def test_three_of_four_classes_pass(strong):
    assert passwords.refusal(strong, "zhang") is None


@pytest.mark.parametrize("password", ["Zhang-2026", "my-ZHANG1", "xzhangx-A"])
def test_a_password_containing_the_username_in_any_case_is_refused(password):
    assert (
        passwords.refusal(password, "Zhang")
        == "密码不能包含用户名（不区分大小写）(password must not contain the username)"
    )


def test_check_raises_invalid_input_naming_the_field():
    with pytest.raises(InvalidInput) as caught:
        passwords.check("short", "zhang")
    assert caught.value.details == {"field": "password"}
    assert "密码至少 8 位" in caught.value.message


def test_expiry_after_the_configured_days():
    now = datetime(2026, 12, 5, 8, tzinfo=UTC)
    user = User(username="u", password_changed_at=now - timedelta(days=90), must_change_password=False)
    assert not passwords.expired(user, now)
    user.password_changed_at = now - timedelta(days=90, seconds=1)
    assert passwords.expired(user, now)


def test_the_reason_to_change_names_initial_expired_and_demo_passwords():
    fresh = datetime.now(UTC)
    initial = User(username="u", password_changed_at=fresh, must_change_password=True)
    assert "初始密码" in passwords.change_reason(initial, "x", None)
    old = User(username="u", password_changed_at=fresh - timedelta(days=100), must_change_password=False)
    assert "超过 90 天" in passwords.change_reason(old, "x", None)
    demo = User(username="u", password_changed_at=fresh, must_change_password=False)
    assert "演示密码" in passwords.change_reason(demo, "gisgrid-demo-1", "gisgrid-demo-1")
    assert passwords.change_reason(demo, "gisgrid-demo-1", None) is None  # demo mode: no demo rule


def test_the_demo_password_meets_the_policy():
    from gisgrid.auth.demo import DEMO_PASSWORD, DEMO_USERS

    for username, *_rest in DEMO_USERS:
        assert passwords.refusal(DEMO_PASSWORD, username) is None


def test_the_last_login_notice_in_china_time():
    at = datetime(2026, 12, 5, 1, 30, tzinfo=UTC)
    assert LastLogin(at, 2).message() == "上次成功登录：2026-12-05 09:30；此后登录失败 2 次。"
    assert LastLogin(None, 0).message() == "上次成功登录：（首次登录）；此后登录失败 0 次。"
