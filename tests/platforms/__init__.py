"""Fakes of the chat platforms, and the tests that prove them against the real SDKs."""

import warnings

# discord.py 2.7 imports the stdlib's audioop for voice (deprecated since 3.11, removed in
# 3.13), which pytest's filterwarnings=error turns into an import error. Importing it once here,
# with only that warning silenced, leaves every other warning an error. Better done once in
# pyproject's filterwarnings; this keeps the platform tests importable meanwhile.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import audioop  # noqa: F401
