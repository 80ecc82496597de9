"""Backtest output files and the offline HTML report (pure rendering of a finished outcome)."""

from jutsu.reporting.files import OUTPUT_FILES, build_summary, render_outputs, write_outputs

__all__ = ["OUTPUT_FILES", "build_summary", "render_outputs", "write_outputs"]
