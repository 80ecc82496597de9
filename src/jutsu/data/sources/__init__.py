"""Market-data sources: each turns a vendor's data into a validated bar frame."""

from jutsu.data.sources.base import MarketDataSource, make_bar_frame
from jutsu.data.sources.csv_source import CsvDirectorySource, PriceFile, read_price_csv
from jutsu.data.sources.synthetic import SyntheticSource
from jutsu.data.sources.yahoo import YahooSource

__all__ = [
    "CsvDirectorySource",
    "MarketDataSource",
    "PriceFile",
    "SyntheticSource",
    "YahooSource",
    "make_bar_frame",
    "read_price_csv",
]
