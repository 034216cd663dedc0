"""Browser pages (HTML); the JSON API is in ``app.handlers.api``."""
