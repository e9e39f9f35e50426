"""The application layer: commands in, events out.

``trivia.TriviaService`` runs the games (one per channel, under the channel's
lock) and hands everything else to its desks: ``settings_desk`` (each
server's settings and who its admins are), ``question_desk`` (admins'
questions and players' reports).  ``draw`` picks a game's questions,
``recording`` turns a game's events into what the store keeps, and
``recovery`` ends the games a crash left running.
"""

from bot.service.trivia import TriviaService

__all__ = ["TriviaService"]
