"""Use cases: everything a session does, driven without any window. Each returns what changed."""
