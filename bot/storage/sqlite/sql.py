"""The SQL the SQLite store runs, kept apart from the code that schedules it.

Every statement takes its values as ``?`` parameters.  The schema they run
against is in ``migrations/0001_initial.sql``.  Writes use integer row ids the
writer has already resolved (see ``SqliteScoreStore._resolve_ids``); reads find
a server by its key.
"""

from __future__ import annotations

from typing import Final

ADD_SERVER: Final = """
INSERT INTO servers (platform, server) VALUES (?, ?) ON CONFLICT (platform, server) DO NOTHING
"""

SERVER_ID: Final = "SELECT id FROM servers WHERE platform = ? AND server = ?"

PLAYER_IDS: Final = """
SELECT user_id, id FROM players
WHERE server_id = ? AND user_id IN (SELECT value FROM json_each(?))
"""

UPSERT_PLAYER: Final = """
INSERT INTO players (server_id, user_id, name, name_key,
                     points, correct, answered, best_streak, correct_ms, games, wins)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (server_id, user_id) DO UPDATE SET
    name        = excluded.name,
    name_key    = excluded.name_key,
    points      = points + excluded.points,
    correct     = correct + excluded.correct,
    answered    = answered + excluded.answered,
    best_streak = max(best_streak, excluded.best_streak),
    correct_ms  = correct_ms + excluded.correct_ms,
    games       = games + excluded.games,
    wins        = wins + excluded.wins
"""

INSERT_ANSWER: Final = """
INSERT INTO answers (player_id, channel, game_id, question_id,
                     correct, points, answer_ms, streak, at_us)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

UPSERT_PERIOD_TOTAL: Final = """
INSERT INTO period_totals (server_id, kind, start, player_id, points, correct, reached_us)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (server_id, kind, start, player_id) DO UPDATE SET
    points     = points + excluded.points,
    correct    = correct + excluded.correct,
    reached_us = max(reached_us, excluded.reached_us)
"""

RECORDED_GAMES: Final = """
SELECT game_id FROM games WHERE game_id IN (SELECT value FROM json_each(?))
"""

INSERT_GAME: Final = """
INSERT INTO games (game_id, server_id, channel, mode, started_us, ended_us,
                   reason, questions_asked, winner_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

INSERT_GAME_PLAYER: Final = """
INSERT INTO game_players (game_id, player_id, name, points, correct, rank)
VALUES (?, ?, ?, ?, ?, ?)
"""

UPSERT_ASKED: Final = """
INSERT INTO asked_questions (server_id, question_id, asked_us) VALUES (?, ?, ?)
ON CONFLICT (server_id, question_id) DO UPDATE SET asked_us = excluded.asked_us
"""

DELETE_ASKED: Final = "DELETE FROM asked_questions WHERE server_id = ? AND question_id = ?"

# Walks period_totals_rank in order and stops after ``limit`` rows: no sort, no
# scan of the server's other periods, however many answers are stored.
LEADERBOARD: Final = """
SELECT p.user_id, p.name, t.points, t.correct
FROM servers AS s
JOIN period_totals AS t ON t.server_id = s.id
JOIN players AS p ON p.id = t.player_id
WHERE s.platform = ? AND s.server = ? AND t.kind = ? AND t.start = ?
ORDER BY t.points DESC, t.correct DESC, t.reached_us, t.player_id
LIMIT ?
"""

# (platform, server, kind, first day, day after the last, limit): a season's board, summed
# from the per-day totals (period_totals_rank's prefix reads just the season's days).
# Ties go to whoever reached their total first.
SEASON_LEADERBOARD: Final = """
SELECT p.user_id, p.name, sum(t.points) AS points, sum(t.correct) AS correct
FROM servers AS s
JOIN period_totals AS t ON t.server_id = s.id
JOIN players AS p ON p.id = t.player_id
WHERE s.platform = ?1 AND s.server = ?2 AND t.kind = ?3 AND t.start >= ?4 AND t.start < ?5
GROUP BY t.player_id
HAVING sum(t.points) > 0 OR sum(t.correct) > 0
ORDER BY points DESC, correct DESC, max(t.reached_us), t.player_id
LIMIT ?6
"""

PLAYER_STATS: Final = """
SELECT p.name, p.points, p.games, p.wins, p.correct, p.answered, p.best_streak, p.correct_ms
FROM servers AS s JOIN players AS p ON p.server_id = s.id
WHERE s.platform = ? AND s.server = ? AND p.user_id = ?
"""

FIND_PLAYERS: Final = """
SELECT p.user_id
FROM servers AS s JOIN players AS p ON p.server_id = s.id
WHERE s.platform = ? AND s.server = ? AND p.name_key = ?
ORDER BY p.points DESC, p.id
"""

ASKED_QUESTIONS: Final = """
SELECT q.question_id
FROM servers AS s JOIN asked_questions AS q ON q.server_id = s.id
WHERE s.platform = ? AND s.server = ? AND q.question_id IN (SELECT value FROM json_each(?))
"""

SAVE_QUESTION: Final = """
INSERT INTO custom_questions (server_id, question_id, body, added_by, added_us,
                              changed_by, changed_us)
VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5)
ON CONFLICT (server_id, question_id) DO UPDATE SET
    body       = excluded.body,
    changed_by = excluded.changed_by,
    changed_us = excluded.changed_us,
    removed_by = NULL,
    removed_us = NULL
"""

REMOVE_QUESTION: Final = """
UPDATE custom_questions SET removed_by = ?3, removed_us = ?4
WHERE server_id = ?1 AND question_id = ?2 AND removed_us IS NULL
"""

CUSTOM_QUESTIONS: Final = """
SELECT q.body FROM custom_questions AS q JOIN servers AS s ON s.id = q.server_id
WHERE s.platform = ? AND s.server = ? AND q.removed_us IS NULL
ORDER BY q.added_us, q.question_id
"""

CUSTOM_QUESTION_LIVE: Final = """
SELECT 1 FROM custom_questions AS q JOIN servers AS s ON s.id = q.server_id
WHERE s.platform = ? AND s.server = ? AND q.question_id = ? AND q.removed_us IS NULL
"""

SAVE_SETTINGS: Final = """
INSERT INTO server_settings (server_id, body, changed_by, changed_us) VALUES (?, ?, ?, ?)
ON CONFLICT (server_id) DO UPDATE SET
    body = excluded.body, changed_by = excluded.changed_by, changed_us = excluded.changed_us
"""

SERVER_SETTINGS: Final = """
SELECT t.body FROM server_settings AS t JOIN servers AS s ON s.id = t.server_id
WHERE s.platform = ? AND s.server = ?
"""

JOURNAL_GAME: Final = """
INSERT INTO game_journal (game_id, server_id, channel, mode, started_us, started_by,
                          total_questions, answers_after)
VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(id), 0) FROM answers))
ON CONFLICT (game_id) DO NOTHING
"""

JOURNAL_PROGRESS: Final = """
UPDATE game_journal SET questions_asked = max(questions_asked, ?) WHERE game_id = ?
"""

# A late save (seq not above the saved one) changes nothing.
SAVE_GAME_STATE: Final = """
UPDATE game_journal SET state = ?, state_seq = ?, state_us = ?
WHERE game_id = ? AND state_seq < ?
"""

NOTE_QUESTION_MESSAGE: Final = "UPDATE game_journal SET question_message = ? WHERE game_id = ?"

END_JOURNAL: Final = "DELETE FROM game_journal WHERE game_id = ?"

UNFINISHED_GAMES: Final = """
SELECT j.game_id, s.server, j.channel, j.mode, j.started_us, j.started_by,
       j.total_questions, j.questions_asked, j.state, j.state_seq, j.state_us,
       j.question_message, j.answers_after
FROM game_journal AS j JOIN servers AS s ON s.id = j.server_id
WHERE s.platform = ?
ORDER BY j.started_us
"""

# Each player's result in one game, from its answers (all written after
# answers_after); reached_id orders ties as the live game did.
GAME_TALLIES: Final = """
SELECT p.user_id, p.name, sum(a.points), sum(a.correct),
       max(CASE WHEN a.points > 0 THEN a.id END)
FROM answers AS a JOIN players AS p ON p.id = a.player_id
WHERE a.id > ? AND a.game_id = ?
GROUP BY a.player_id
"""

QUESTION_HISTORY: Final = """
SELECT q.question_id, q.added_by, q.added_us, q.changed_by, q.changed_us
FROM custom_questions AS q JOIN servers AS s ON s.id = q.server_id
WHERE s.platform = ? AND s.server = ? AND q.removed_us IS NULL
"""

SAVE_SWITCH: Final = """
INSERT INTO question_switches (server_id, kind, name, off, changed_by, changed_us)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (server_id, kind, name) DO UPDATE SET
    off = excluded.off, changed_by = excluded.changed_by, changed_us = excluded.changed_us
"""

SWITCHED_OFF: Final = """
SELECT w.kind, w.name FROM question_switches AS w JOIN servers AS s ON s.id = w.server_id
WHERE s.platform = ? AND s.server = ? AND w.off = 1
"""

INSERT_REPORT: Final = """
INSERT INTO question_reports (server_id, channel, question_id, prompt, kind, reason,
                              reporter, reporter_name, reported_us)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

_REPORT_COLUMNS: Final = """
SELECT r.id, r.channel, r.question_id, r.prompt, r.kind, r.reason, r.reporter,
       r.reporter_name, r.reported_us, r.resolution, r.resolved_by, r.resolved_us
FROM question_reports AS r JOIN servers AS s ON s.id = r.server_id
WHERE s.platform = ? AND s.server = ?
"""

# The question (?3) and the reporter (?4) are optional filters: NULL matches all.
OPEN_REPORTS: Final = (
    _REPORT_COLUMNS
    + """ AND r.resolution IS NULL AND (?3 IS NULL OR r.question_id = ?3)
    AND (?4 IS NULL OR r.reporter = ?4) ORDER BY r.id LIMIT ?5"""
)

GET_REPORT: Final = _REPORT_COLUMNS + " AND r.id = ?"

COUNT_OPEN_REPORTS: Final = """
SELECT count(*) FROM question_reports AS r JOIN servers AS s ON s.id = r.server_id
WHERE s.platform = ?1 AND s.server = ?2 AND r.resolution IS NULL
  AND (?3 IS NULL OR r.reporter = ?3)
"""

RESOLVE_REPORT: Final = """
UPDATE question_reports SET resolution = ?, resolved_by = ?, resolved_us = ?
WHERE server_id = ? AND id = ? AND resolution IS NULL
"""

# -- what the processes of one bot share (bot.storage.shared_store) -----------------------
#
# Time is the database's: SQLite's 'now' (this machine's wall clock, to the millisecond,
# the same for every use within one statement) in microseconds since 1970.  Each write
# runs in a BEGIN IMMEDIATE transaction of its own, so no two processes interleave.

_NOW_US: Final = "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)"

# (name, holder, ttl_us): a free, expired or own lease is taken; a new tenure (anything
# but our own unexpired one) gets the next epoch.  excluded.expires_us - ttl is now.
TAKE_LEASE: Final = f"""
INSERT INTO leases (name, holder, epoch, expires_us) VALUES (?1, ?2, 1, {_NOW_US} + ?3)
ON CONFLICT (name) DO UPDATE SET
    epoch = CASE WHEN leases.holder = excluded.holder
                      AND leases.expires_us > excluded.expires_us - ?3
                 THEN leases.epoch ELSE leases.epoch + 1 END,
    holder = excluded.holder,
    expires_us = excluded.expires_us
WHERE leases.holder = excluded.holder OR leases.expires_us <= excluded.expires_us - ?3
RETURNING epoch, expires_us
"""

LEASE: Final = f"""
SELECT name, holder, epoch, expires_us, {_NOW_US} FROM leases WHERE name = ?1
"""

# (name, holder, epoch, ttl_us): only an unexpired tenure is extended.
RENEW_LEASE: Final = f"""
UPDATE leases SET expires_us = clock.now_us + ?4
FROM (SELECT {_NOW_US} AS now_us) AS clock
WHERE name = ?1 AND holder = ?2 AND epoch = ?3 AND expires_us > clock.now_us
RETURNING expires_us
"""

# (name, holder, epoch): the tenure ends now; the row stays, naming its last holder.
RELEASE_LEASE: Final = f"""
UPDATE leases SET expires_us = clock.now_us
FROM (SELECT {_NOW_US} AS now_us) AS clock
WHERE name = ?1 AND holder = ?2 AND epoch = ?3 AND expires_us > clock.now_us
RETURNING epoch
"""

LEASE_HOLDERS: Final = f"""
SELECT name, holder, epoch, expires_us, {_NOW_US} FROM leases
WHERE substr(name, 1, length(?1)) = ?1
ORDER BY name
"""

# (names as a JSON list): the fencing check (bot.storage.sqlite.fencing): each lease's
# holder, epoch and whether it is unexpired now.  Inside the writer's BEGIN IMMEDIATE
# transaction nobody else can take a lease before the commit.
LEASES_OF_FENCES: Final = f"""
SELECT name, holder, epoch, expires_us > {_NOW_US} FROM leases
WHERE name IN (SELECT value FROM json_each(?1))
"""

# (name, every_us): the turn is taken when its time has come (the row is made the first
# time); excluded.next_us - every is now.
TAKE_TURN: Final = f"""
INSERT INTO paced_turns (name, next_us) VALUES (?1, {_NOW_US} + ?2)
ON CONFLICT (name) DO UPDATE SET next_us = excluded.next_us
WHERE paced_turns.next_us <= excluded.next_us - ?2
RETURNING next_us
"""

TURN_WAIT: Final = f"SELECT next_us - {_NOW_US} FROM paced_turns WHERE name = ?1"

FACT: Final = "SELECT value FROM bot_facts WHERE name = ?1"

# (name, value): a row comes back only when this statement changed the value.
SET_FACT: Final = f"""
INSERT INTO bot_facts (name, value, changed_us) VALUES (?1, ?2, {_NOW_US})
ON CONFLICT (name) DO UPDATE SET value = excluded.value, changed_us = excluded.changed_us
WHERE bot_facts.value <> excluded.value
RETURNING 1
"""

# (platform, player, server, server_name)
REMEMBER_SERVER: Final = f"""
INSERT INTO last_servers (platform, player, server, server_name, played_us)
VALUES (?1, ?2, ?3, ?4, {_NOW_US})
ON CONFLICT (platform, player) DO UPDATE SET
    server = excluded.server, server_name = excluded.server_name, played_us = excluded.played_us
"""

LAST_SERVER: Final = """
SELECT server, server_name FROM last_servers WHERE platform = ?1 AND player = ?2
"""

# -- Slack installations, OAuth states, seen events (bot.storage.slack_store) ----------

_INSTALLATION_COLUMNS: Final = """
enterprise_id, team_id, is_enterprise_install, enterprise_name, team_name, app_id,
bot_user_id, bot_id, bot_token, bot_scopes, bot_refresh_token, bot_token_expires_us,
installer_user_id, installed_us
"""

# The columns above, in order ('' for a missing enterprise or team).
SAVE_SLACK_INSTALLATION: Final = f"""
INSERT INTO slack_installations ({_INSTALLATION_COLUMNS})
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
ON CONFLICT (enterprise_id, team_id) DO UPDATE SET
    is_enterprise_install = excluded.is_enterprise_install,
    enterprise_name = excluded.enterprise_name, team_name = excluded.team_name,
    app_id = excluded.app_id, bot_user_id = excluded.bot_user_id, bot_id = excluded.bot_id,
    bot_token = excluded.bot_token, bot_scopes = excluded.bot_scopes,
    bot_refresh_token = excluded.bot_refresh_token,
    bot_token_expires_us = excluded.bot_token_expires_us,
    installer_user_id = excluded.installer_user_id, installed_us = excluded.installed_us
"""

# (enterprise, team): the workspace's own installation first; then the one it made before
# it joined an org (stored without the enterprise: team ids are unique across Slack); then,
# in an org, the org-wide one.  Team '' asks for the org-wide one only.
FIND_SLACK_INSTALLATION: Final = f"""
SELECT {_INSTALLATION_COLUMNS} FROM slack_installations
WHERE (?2 <> '' AND team_id = ?2 AND enterprise_id IN (?1, ''))
   OR (?1 <> '' AND enterprise_id = ?1 AND team_id = '')
ORDER BY team_id = '', enterprise_id <> ?1
LIMIT 1
"""

SLACK_INSTALLATIONS: Final = f"""
SELECT {_INSTALLATION_COLUMNS} FROM slack_installations ORDER BY enterprise_id, team_id
"""

DELETE_SLACK_INSTALLATION: Final = """
DELETE FROM slack_installations WHERE enterprise_id = ?1 AND team_id = ?2 RETURNING 1
"""

# (enterprise, team, bot_token, refresh_token, expires_us, spent refresh token)
SWAP_SLACK_TOKENS: Final = """
UPDATE slack_installations
SET bot_token = ?3, bot_refresh_token = ?4, bot_token_expires_us = ?5
WHERE enterprise_id = ?1 AND team_id = ?2 AND bot_refresh_token = ?6
RETURNING 1
"""

# (state, ttl_us)
ISSUE_OAUTH_STATE: Final = f"""
INSERT INTO slack_oauth_states (state, expires_us) VALUES (?1, {_NOW_US} + ?2)
ON CONFLICT (state) DO UPDATE SET expires_us = excluded.expires_us
"""

# (state): gone whatever it was; the one row says whether it was still good.
CONSUME_OAUTH_STATE: Final = f"""
DELETE FROM slack_oauth_states WHERE state = ?1 RETURNING expires_us > {_NOW_US}
"""

# (event_id, keep_us): a row comes back only for the first sighting (or the first after
# the last one expired); excluded.seen_until_us - keep is now.
FIRST_SIGHTING: Final = f"""
INSERT INTO slack_seen_events (event_id, seen_until_us) VALUES (?1, {_NOW_US} + ?2)
ON CONFLICT (event_id) DO UPDATE SET seen_until_us = excluded.seen_until_us
WHERE slack_seen_events.seen_until_us <= excluded.seen_until_us - ?2
RETURNING 1
"""

PRUNE_OAUTH_STATES: Final = f"""
DELETE FROM slack_oauth_states WHERE expires_us <= {_NOW_US} RETURNING 1
"""

PRUNE_SEEN_EVENTS: Final = f"""
DELETE FROM slack_seen_events WHERE seen_until_us <= {_NOW_US} RETURNING 1
"""


# -- schedules (bot.storage.schedule_store) ---------------------------------------------

_SCHEDULE_COLUMNS: Final = (
    "id, platform, server, channel, kind, at_local, zone, days, closes_local, category, "
    "difficulty, options, paused, created_us, remind_minutes"
)

# (platform, server, channel, kind, at_local, zone, days, closes_local, category,
#  difficulty, options, paused, created_us, remind_minutes) -> the new row's id.
ADD_SCHEDULE: Final = """
INSERT INTO schedules (platform, server, channel, kind, at_local, zone, days, closes_local,
                       category, difficulty, options, paused, created_us, remind_minutes)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
RETURNING id
"""

# (platform, server)
SCHEDULES_OF_SERVER: Final = f"""
SELECT {_SCHEDULE_COLUMNS} FROM schedules WHERE platform = ?1 AND server = ?2 ORDER BY id
"""

ALL_SCHEDULES: Final = f"""
SELECT {_SCHEDULE_COLUMNS} FROM schedules ORDER BY id
"""

# (platform, server, id, paused): only the server's own schedule changes.
SET_SCHEDULE_PAUSED: Final = """
UPDATE schedules SET paused = ?4 WHERE platform = ?1 AND server = ?2 AND id = ?3 RETURNING id
"""

# (platform, server, id): its firings go with it (ON DELETE CASCADE).
REMOVE_SCHEDULE: Final = """
DELETE FROM schedules WHERE platform = ?1 AND server = ?2 AND id = ?3 RETURNING id
"""

# (schedule_id, due_us, holder): a row for the first claim of a due time; a claim already
# made, or of a schedule removed meanwhile, inserts nothing and returns no row.
CLAIM_FIRING: Final = f"""
INSERT INTO schedule_firings (schedule_id, due_us, holder, claimed_us)
SELECT ?1, ?2, ?3, {_NOW_US} WHERE EXISTS (SELECT 1 FROM schedules WHERE id = ?1)
ON CONFLICT (schedule_id, due_us) DO NOTHING
RETURNING 1
"""

# (schedule_id) -> the latest due time claimed, NULL if none.
LAST_FIRING: Final = """
SELECT max(due_us) FROM schedule_firings WHERE schedule_id = ?1
"""


# -- daily rounds (bot.storage.daily_store) ---------------------------------------------

_ROUND_COLUMNS: Final = (
    "id, schedule_id, platform, server, channel, question, choices, opened_us, closes_us, "
    "message_ref, revealed"
)
_ANSWER_COLUMNS: Final = (
    "round_id, platform, server, user_id, name, guess, correct, points, answered_us"
)

# (schedule_id, platform, server, channel, question_id, question, choices, opened_us,
#  closes_us) -> the new round's id.
OPEN_DAILY_ROUND: Final = """
INSERT INTO daily_rounds (schedule_id, platform, server, channel, question_id, question,
                          choices, opened_us, closes_us)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
RETURNING id
"""

# (id, ref)
NOTE_DAILY_MESSAGE: Final = """
UPDATE daily_rounds SET message_ref = ?2 WHERE id = ?1 RETURNING id
"""

# (id)
DAILY_ROUND: Final = f"""
SELECT {_ROUND_COLUMNS} FROM daily_rounds WHERE id = ?1
"""

# (platform, server, now_us)
OPEN_DAILY_ROUNDS: Final = f"""
SELECT {_ROUND_COLUMNS} FROM daily_rounds
WHERE platform = ?1 AND server = ?2 AND revealed = 0 AND closes_us > ?3
ORDER BY id DESC
"""

# (platform, server, now_us, channel)
OPEN_DAILY_ROUNDS_IN: Final = f"""
SELECT {_ROUND_COLUMNS} FROM daily_rounds
WHERE platform = ?1 AND server = ?2 AND channel = ?4 AND revealed = 0 AND closes_us > ?3
ORDER BY id DESC
"""

# (now_us)
DAILY_ROUNDS_DUE: Final = f"""
SELECT {_ROUND_COLUMNS} FROM daily_rounds
WHERE revealed = 0 AND closes_us <= ?1
ORDER BY closes_us, id
"""

NEXT_DAILY_CLOSE: Final = """
SELECT min(closes_us) FROM daily_rounds WHERE revealed = 0
"""

# (round_id, platform, server, user_id, name, guess, correct, points, answered_us): a row
# for the player's first answer to a round of their server not revealed yet; nothing
# (and no row returned) otherwise.
RECORD_DAILY_ANSWER: Final = """
INSERT INTO daily_answers (round_id, platform, server, user_id, name, guess, correct, points,
                           answered_us)
SELECT id, platform, server, ?4, ?5, ?6, ?7, ?8, ?9 FROM daily_rounds
WHERE id = ?1 AND platform = ?2 AND server = ?3 AND revealed = 0
ON CONFLICT (round_id, user_id) DO NOTHING
RETURNING 1
"""

# (round_id, user_id)
DAILY_ANSWER: Final = f"""
SELECT {_ANSWER_COLUMNS} FROM daily_answers WHERE round_id = ?1 AND user_id = ?2
"""

# (round_id)
DAILY_ANSWERS: Final = f"""
SELECT {_ANSWER_COLUMNS} FROM daily_answers WHERE round_id = ?1 ORDER BY answered_us, user_id
"""

# (id): a row for the one call that turns it revealed.
MARK_DAILY_REVEALED: Final = """
UPDATE daily_rounds SET revealed = 1 WHERE id = ?1 AND revealed = 0 RETURNING id
"""

# (platform, server, user_id, now_us) -> (current, best).  Each of the server's rounds,
# in the order they opened, is 1 (answered right), 0 (answered wrong, or closed without
# the player's answer) or NULL (open and unanswered: it breaks nothing yet); ``run``
# numbers the runs between two zeros, and a run's length is its ones.
DAILY_STREAK: Final = """
WITH outcome AS (
    SELECT r.id,
           CASE WHEN a.correct = 1 THEN 1
                WHEN a.correct = 0 OR r.closes_us <= ?4 OR r.revealed = 1 THEN 0
           END AS ok
    FROM daily_rounds AS r
    LEFT JOIN daily_answers AS a ON a.round_id = r.id AND a.user_id = ?3
    WHERE r.platform = ?1 AND r.server = ?2 AND r.opened_us <= ?4
), runs AS (
    SELECT ok, sum(1 - ok) OVER (ORDER BY id) AS run FROM outcome WHERE ok IS NOT NULL
), lengths AS (
    SELECT run, sum(ok) AS length FROM runs GROUP BY run
)
SELECT coalesce((SELECT length FROM lengths ORDER BY run DESC LIMIT 1), 0),
       coalesce((SELECT max(length) FROM lengths), 0)
"""

# (platform, server, since_us, until_us, limit)
DAILY_LEADERBOARD: Final = """
SELECT a.user_id,
       (SELECT b.name FROM daily_answers AS b
        WHERE b.platform = a.platform AND b.server = a.server AND b.user_id = a.user_id
        ORDER BY b.answered_us DESC LIMIT 1),
       sum(a.points), count(*), max(a.answered_us)
FROM daily_answers AS a
WHERE a.platform = ?1 AND a.server = ?2 AND a.answered_us >= ?3 AND a.answered_us < ?4
  AND a.correct = 1
GROUP BY a.platform, a.server, a.user_id
ORDER BY sum(a.points) DESC, count(*) DESC, max(a.answered_us), a.user_id
LIMIT ?5
"""

# (schedule_id, due_us, holder): a row for the first claim of a quiz time's reminder.
CLAIM_REMINDER: Final = f"""
INSERT INTO schedule_reminders (schedule_id, due_us, holder, claimed_us)
SELECT ?1, ?2, ?3, {_NOW_US} WHERE EXISTS (SELECT 1 FROM schedules WHERE id = ?1)
ON CONFLICT (schedule_id, due_us) DO NOTHING
RETURNING 1
"""

# (platform, server, season, holder): a row for the first claim of a season's results.
CLAIM_SEASON_RESULTS: Final = f"""
INSERT INTO season_results (platform, server, season, holder, claimed_us)
VALUES (?1, ?2, ?3, ?4, {_NOW_US})
ON CONFLICT (platform, server, season) DO NOTHING
RETURNING 1
"""
