"""WSGI entry point for gunicorn: ``gunicorn gisgrid.wsgi:app``."""

from gisgrid import create_app

app = create_app()
