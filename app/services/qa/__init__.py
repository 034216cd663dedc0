"""Quality assurance (read-only): conformance, deadline breaches, KPIs, event-log export and the legacy log check,
reports and their downloads."""
