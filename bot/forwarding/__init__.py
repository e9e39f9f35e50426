"""Game commands carried from the replica that received them to the one that owns their game.

``codec`` turns a game command into bytes and back (pure); ``nats_link`` is the one
module that imports nats-py (request/reply over ``TRIVIA_NATS_URL``).
"""
