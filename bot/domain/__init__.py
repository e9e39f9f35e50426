"""The pure core: game rules, answer matching and scoring, with no I/O."""
