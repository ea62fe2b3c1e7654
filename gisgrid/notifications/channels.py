"""The two external channels: e-mail over SMTP (smtplib) and SMS through a configurable HTTP gateway.

Each sender raises ``SendFailed`` when the message was not accepted; the delivery loop records it and
retries later. Chinese SMS providers are plain HTTP APIs with a template id and parameters: the URL,
method, headers, body template and success rule are settings, so no provider SDK is needed.
"""

from __future__ import annotations

import json
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

import requests
from jinja2.sandbox import SandboxedEnvironment

from gisgrid.notifications.models import Notification


class SendFailed(Exception):
    """The server or gateway did not accept the message (the text says why)."""


def message_id_header(notification: Notification, sender: str) -> str:
    """The SMTP Message-ID: stable per outbox row, so a resend after a crash carries the same id."""
    domain = sender.rpartition("@")[2] or "gisgrid.local"
    return f"<{notification.message_id}@{domain}>"


def send_email(cfg: dict, notification: Notification) -> None:
    """Send one e-mail through the configured SMTP server."""
    if not cfg["SMTP_HOST"]:
        raise SendFailed("GISGRID_SMTP_HOST is not set")
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = cfg["SMTP_FROM"], notification.address, notification.subject
    mail["Message-ID"] = message_id_header(notification, cfg["SMTP_FROM"])
    mail["Date"] = formatdate(localtime=False)
    mail.set_content(notification.body)
    try:
        with _smtp(cfg) as smtp:
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as err:  # refused, timed out, rejected recipient, ...
        raise SendFailed(f"SMTP: {err}") from err


def _smtp(cfg: dict) -> smtplib.SMTP:
    host, port, timeout, mode = cfg["SMTP_HOST"], cfg["SMTP_PORT"], cfg["SEND_TIMEOUT_SECONDS"], cfg["SMTP_TLS"]
    if mode == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if mode == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if cfg["SMTP_USER"]:
        smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
    return smtp


_TEMPLATES = SandboxedEnvironment(autoescape=False)


def sms_request(cfg: dict, notification: Notification) -> tuple[str, dict, str]:
    """(url, headers, body) of the gateway request for one SMS, from the configured templates."""
    templates = json.loads(cfg["SMS_TEMPLATES"] or "{}")
    context = {
        "phone": notification.address,
        "template_id": templates.get(notification.kind, cfg["SMS_TEMPLATE_ID"]),
        "params": notification.params or {},
        "text": notification.body,
        "message_id": notification.message_id,
        "kind": notification.kind,
    }
    body = _TEMPLATES.from_string(cfg["SMS_BODY"]).render(context)
    return cfg["SMS_URL"], json.loads(cfg["SMS_HEADERS"] or "{}"), body


def send_sms(cfg: dict, notification: Notification) -> None:
    """Send one SMS through the HTTP gateway; success is a 2xx answer (and the configured JSON value)."""
    if not cfg["SMS_URL"]:
        raise SendFailed("GISGRID_SMS_URL is not set")
    url, headers, body = sms_request(cfg, notification)
    try:
        answer = requests.request(
            cfg["SMS_METHOD"], url, headers=headers, data=body.encode("utf-8"), timeout=cfg["SEND_TIMEOUT_SECONDS"]
        )
    except requests.RequestException as err:
        raise SendFailed(f"SMS gateway: {err}") from err
    if not 200 <= answer.status_code < 300:
        raise SendFailed(f"SMS gateway answered {answer.status_code}: {answer.text[:200]}")
    if cfg["SMS_SUCCESS"] and not accepted(cfg["SMS_SUCCESS"], answer.text):
        raise SendFailed(f"SMS gateway refused: {answer.text[:200]}")


def accepted(rule: str, text: str) -> bool:
    """``path.to.key=value`` holds in the JSON answer (e.g. ``code=0``, ``Code=OK``, ``result.status=success``)."""
    path, _, wanted = rule.partition("=")
    try:
        value = json.loads(text)
        for key in path.strip().split("."):
            value = value[int(key)] if isinstance(value, list) else value[key]
    except (ValueError, KeyError, IndexError, TypeError):
        return False
    return str(value) == wanted.strip()


SENDERS = {"email": send_email, "sms": send_sms}
