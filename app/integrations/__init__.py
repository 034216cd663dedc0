"""Adapters to the outside: SMTP, spreadsheets written, event-log formats read."""
