"""End-of-day finalization: the authoritative ``daily_performance`` rows (platform spec §5.4)."""
