"""The customer's part: case links, what a customer sees and does through them, messages out."""
