"""Jutsu Labs: indicators package."""
