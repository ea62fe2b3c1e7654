"""What other domains link to a case (the inspection that opened it, the source registered from it).

A registry, so that incidents imports none of them: sources/links.py registers a provider at import.
A provider is ``fn(session, incident, user) -> [{"kind", "label", "url"}, …]``; url may be None.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

Provider = Callable[[Session, object, object], list[dict]]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider of links shown on every case page (usable as a decorator)."""
    _PROVIDERS.append(provider)
    return provider


def of(session: Session, incident, user) -> list[dict]:
    """Every registered domain's links of ``incident`` for ``user``."""
    return [link for provider in _PROVIDERS for link in provider(session, incident, user)]
