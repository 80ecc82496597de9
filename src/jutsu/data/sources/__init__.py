"""Market-data sources: each turns a vendor's data into a validated bar frame."""

from jutsu.data.sources.base import MarketDataSource, make_bar_frame
from jutsu.data.sources.csv_source import CsvDirectorySource, PriceFile, read_price_csv

__all__ = ["CsvDirectorySource", "MarketDataSource", "PriceFile", "make_bar_frame", "read_price_csv"]
