"""Which workspace a Slack request acts on (``workspaces.place``), Enterprise Grid included.

Pure: payloads as Slack sends them, against the installation whose token answers
them.  Through the fake Slack: ``test_workspaces.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.slack.workspaces import Installation, Place, place

# -- the rule --------------------------------------------------------------------------------

WORKSPACE = Installation(team_id="T1")
IN_ORG = Installation(team_id="T1", enterprise_id="E1")
ORG_WIDE = Installation(team_id=None, enterprise_id="E1", is_enterprise_install=True)


def click(team: str | None, user_team: str, enterprise: str | None = None) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": None if team is None else {"id": team},
        "user": {"id": "U1", "team_id": user_team},
        "enterprise": None if enterprise is None else {"id": enterprise},
        "is_enterprise_install": False,
    }


@pytest.mark.parametrize(
    ("body", "installation", "request_team", "expected"),
    [
        (click("T1", "T1"), WORKSPACE, "T1", Place("T1", WORKSPACE)),
        (click("T1", "T2"), WORKSPACE, "T1", Place("T1", WORKSPACE, ("T2",))),
        (click("T2", "T2"), WORKSPACE, "T2", Place("T1", WORKSPACE, ("T2",))),
        (click("T1", "T1", "E1"), WORKSPACE, "T1", Place("T1", WORKSPACE, ("E1",))),
        (click("T1", "T1", "E1"), IN_ORG, "T1", Place("T1", IN_ORG)),
        (click("T1", "T1", "E2"), IN_ORG, "T1", Place("T1", IN_ORG, ("E2",))),
        # Org-wide: the request's own workspace, as long as it is in the org.
        (click(None, "T5", "E1"), ORG_WIDE, "T5", Place("T5", ORG_WIDE)),
        (click("T5", "T5", "E2"), ORG_WIDE, "T5", Place("", ORG_WIDE, ("E2",))),
        (click("T5", "T6", "E1"), ORG_WIDE, "T5", Place("T5", ORG_WIDE, ("T6",))),
        (click("T5", "T5"), ORG_WIDE, "T5", Place("", ORG_WIDE)),
        (click("T1", "T1"), Installation(team_id=None), None, Place("", Installation(None))),
        (
            {"team_id": "T1", "event": {"type": "message", "team": "T9"}},
            WORKSPACE,
            "T1",
            Place("T1", WORKSPACE, ("T9",)),
        ),
        (
            {
                "type": "view_submission",
                "team": {"id": "T1"},
                "view": {"private_metadata": "T2/C1"},
            },
            WORKSPACE,
            "T1",
            Place("T1", WORKSPACE, ("T2",)),
        ),
    ],
)
def test_a_request_is_placed_in_the_workspace_its_installation_authorizes(
    body: dict[str, Any], installation: Installation, request_team: str | None, expected: Place
) -> None:
    placed = place(body, installation, request_team=request_team)

    assert placed == expected
    assert placed.foreign == (bool(expected.elsewhere) or not expected.team)
