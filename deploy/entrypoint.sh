#!/bin/sh
# The container's entry point.
#
# Without arguments it runs the bot for the platform in TRIVIA_PLATFORM
# (`trivia-bot run discord` or `trivia-bot run slack`).  With arguments it runs
# them as a trivia-bot command instead (a leading "trivia-bot" is optional):
#   docker run [options] trivia-bot run slack --http --port 3000
#   docker run --rm -v trivia-data:/data trivia-bot db check
# `exec` makes trivia-bot the process that receives `docker stop`'s SIGTERM,
# on which it ends running games cleanly.
set -eu

if [ "$#" -gt 0 ]; then
    if [ "$1" = "trivia-bot" ]; then
        shift
    fi
    exec trivia-bot "$@"
fi

case "${TRIVIA_PLATFORM:-}" in
    discord | slack)
        exec trivia-bot run "$TRIVIA_PLATFORM"
        ;;
    "")
        echo "TRIVIA_PLATFORM is not set: set it to discord or slack (compose.yaml does)," \
            "or give a trivia-bot command, e.g. 'run discord'." >&2
        exit 2
        ;;
    *)
        echo "TRIVIA_PLATFORM=$TRIVIA_PLATFORM is not a platform: use discord or slack." >&2
        exit 2
        ;;
esac
