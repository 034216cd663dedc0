"""The JSON API under /api/v1 (flask-smorest blueprints; OpenAPI at /api/v1/openapi.json)."""
