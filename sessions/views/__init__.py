"""The pages of sessions: a project's sessions and pay, a session's day (players, takes,
gear checks, the quote), payments approved, and the call sheet."""
