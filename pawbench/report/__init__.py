"""Reading results back: loading (this version and PawBench 1.1.4), compare statistics,
ServingCard export, leaderboard, and the schema checks. Rendering lives in reporter plugins."""
