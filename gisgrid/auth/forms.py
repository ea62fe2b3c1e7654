"""Flask-WTF forms (CSRF-protected)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField("用户名", validators=[DataRequired(message="请输入用户名"), Length(max=100)])
    password = PasswordField("密码", validators=[DataRequired(message="请输入密码"), Length(max=200)])
    # the field app's phones: the cookie outlives a closed browser for the login's lifetime (SESSION_HOURS)
    keep = BooleanField("在本设备保持登录（一个工作日内有效）")


class PasswordForm(FlaskForm):
    """The current password and the new one twice."""

    current = PasswordField("当前密码", validators=[DataRequired(message="请输入当前密码"), Length(max=200)])
    # length, classes and history: auth/passwords.py, the one policy (its message names the rule)
    new = PasswordField("新密码", validators=[DataRequired(message="请输入新密码"), Length(max=200)])
    repeat = PasswordField("再次输入新密码", validators=[EqualTo("new", message="两次输入的新密码不一致")])


class TotpForm(FlaskForm):
    """The 6-digit code of an authenticator app (login step, enrolment, switching it off)."""

    code = StringField("动态验证码", validators=[DataRequired(message="请输入 6 位动态验证码"), Length(max=10)])
