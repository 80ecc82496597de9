"""The backtest runner service: request in, outcome out (used by the CLI, API and research)."""
