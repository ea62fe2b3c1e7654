"""Transport and secrets: production start-up checks and the security headers of every response."""
