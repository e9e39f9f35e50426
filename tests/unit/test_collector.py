"""The collector is settled once per process, after the bot is loaded: what exists then is
frozen and young passes are spaced out (``bot.app.collector``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_settling_freezes_what_is_loaded_and_spaces_the_passes_out_once() -> None:
    # In a process of its own: settling changes the collector for the whole process.
    script = textwrap.dedent(
        """
        import gc
        from bot.app.collector import YOUNG_THRESHOLD, settle_collector
        loaded = [object() for _ in range(1000)]
        young, middle, old = gc.get_threshold()
        assert gc.get_freeze_count() == 0
        assert settle_collector() is True
        assert gc.get_freeze_count() > len(loaded)
        assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, old)
        assert settle_collector() is False  # once per process
        print("ok", young)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", "700"]
