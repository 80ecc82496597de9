"""Jutsu Labs: a self-hosted automated trading platform.

One strategy object runs unchanged in backtests, research, dry-run, paper and live trading.
"""

__version__ = "0.1.0"
