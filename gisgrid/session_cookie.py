"""The session cookie, opened only when the request carries one.

Flask builds the cookie's signer (an itsdangerous serializer with a derived key) on every request, also
when there is no cookie to verify: for an anonymous lookup that was a tenth of the request. Without a
cookie the session is simply new and empty; writing one (a login) still signs it as before.
"""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session; a request without the cookie gets an empty session at no cost."""

    def open_session(self, app, request):
        """An empty session when no cookie came (and a secret key is set); else Flask's own."""
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        """An empty, unchanged session writes nothing (Flask's own rule, without its six cookie settings)."""
        if session or session.modified:
            return super().save_session(app, session, response)
        if session.accessed:
            response.vary.add("Cookie")
        return None
