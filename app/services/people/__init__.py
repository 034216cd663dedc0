"""People: users and roles, browser sessions, notifications."""
