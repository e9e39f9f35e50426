"""Resilience: the bot keeps serving, and loses no point, through a locked
database, a platform that disconnects and reconnects, and a storm of 429s."""
