"""`make bench`: speed and memory figures, printed (never asserted by a timed unit test)."""
