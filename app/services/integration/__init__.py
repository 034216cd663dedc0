"""How other systems take part: the event feed and the webhooks that push it."""
