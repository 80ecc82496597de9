"""Jutsu Labs: brokers package."""
