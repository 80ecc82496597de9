"""Jutsu Labs: strategies package."""
