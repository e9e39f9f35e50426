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
    enterprise_id         text    NOT NULL,
    team_id               text    NOT NULL,
    is_enterprise_install smallint NOT NULL CHECK (is_enterprise_install IN (0, 1)),
    enterprise_name       text,
    team_name             text,
    app_id                text,
    bot_user_id           text    NOT NULL,
    bot_id                text    NOT NULL,
    bot_token             text    NOT NULL,
    bot_scopes            text    NOT NULL,
    bot_refresh_token     text,
    bot_token_expires_us  bigint,
    installer_user_id     text,
    installed_us          bigint NOT NULL,
    PRIMARY KEY (enterprise_id, team_id),
    CHECK (is_enterprise_install = 0 OR (team_id = '' AND enterprise_id <> ''))
);

-- The state parameter of an install in progress: issued with the "Add to Slack"
-- link, consumed once by the redirect back (expired ones are refused).
CREATE TABLE slack_oauth_states (
    state      text    PRIMARY KEY,
    expires_us bigint NOT NULL
);

-- Events API event ids already handled, until seen_until_us (Slack retries
-- after about 0 s, 1 min and 5 min).
CREATE TABLE slack_seen_events (
    event_id      text    PRIMARY KEY,
    seen_until_us bigint NOT NULL
);
