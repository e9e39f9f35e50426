-- 0006 (expand): Slack in any number of workspaces (issue #15): the app's
-- installations with their tokens, the OAuth states of installs in progress, and
-- the ids of the Events API events already seen (Slack redelivers; any replica
-- may receive the redelivery).

-- One row per installation: a workspace's (enterprise_id '' outside Enterprise
-- Grid) or, org-wide on Enterprise Grid, an organisation's (team_id '').  A Grid
-- workspace's own install is (enterprise, team); an org-wide one is found by
-- its enterprise alone.  bot_token and bot_refresh_token are sealed
-- (bot/installations.py): encrypted when TRIVIA_SLACK_TOKEN_KEY is set.
-- bot_token_expires_us is when the token expires (µs since the epoch), with
-- token rotation only; bot_scopes is comma-separated, as Slack writes them.
CREATE TABLE slack_installations (
    enterprise_id         TEXT    NOT NULL,
    team_id               TEXT    NOT NULL,
    is_enterprise_install INTEGER NOT NULL CHECK (is_enterprise_install IN (0, 1)),
    enterprise_name       TEXT,
    team_name             TEXT,
    app_id                TEXT,
    bot_user_id           TEXT    NOT NULL,
    bot_id                TEXT    NOT NULL,
    bot_token             TEXT    NOT NULL,
    bot_scopes            TEXT    NOT NULL,
    bot_refresh_token     TEXT,
    bot_token_expires_us  INTEGER,
    installer_user_id     TEXT,
    installed_us          INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, team_id),
    CHECK (is_enterprise_install = 0 OR (team_id = '' AND enterprise_id <> ''))
) WITHOUT ROWID;

-- The state parameter of an install in progress: issued with the "Add to Slack"
-- link, consumed once by the redirect back (expired ones are refused).
CREATE TABLE slack_oauth_states (
    state      TEXT    PRIMARY KEY,
    expires_us INTEGER NOT NULL
) WITHOUT ROWID;

-- Events API event ids already handled, until seen_until_us (Slack retries
-- after about 0 s, 1 min and 5 min).
CREATE TABLE slack_seen_events (
    event_id      TEXT    PRIMARY KEY,
    seen_until_us INTEGER NOT NULL
) WITHOUT ROWID;
