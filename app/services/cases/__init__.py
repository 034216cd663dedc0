"""Cases: opening them, their journal (what the engine did, written in one transaction), repairs, start forms,
attachments, look-ups."""
