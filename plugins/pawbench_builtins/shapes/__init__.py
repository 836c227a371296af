"""Built-in orchestration shapes: flat, waves, scatter-gather, team-mode, subagents.

Each differs in what information flows where (see docs/orchestration.md); none is an alias of
another."""
