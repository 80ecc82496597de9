"""CSV price reader: every shared file loads exactly; every bad input is one clear DataError."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from jutsu.data.sources.csv_source import CsvDirectorySource, read_price_csv, symbol_from_path
from jutsu.errors import DataError

PRICES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "prices"

# The table of shared/data/README.md ("Files"): symbol, first, last, rows.
README_TABLE = {
    "QQQ.csv": ("QQQ", "1999-03-10", "2026-08-20", 6905),
    "SPY.csv": ("SPY", "1993-01-29", "2026-08-20", 8447),
    "TQQQ.csv": ("TQQQ", "2010-02-11", "2026-08-20", 4156),
    "TLT.csv": ("TLT", "2010-01-04", "2025-06-27", 3895),
    "TMF.csv": ("TMF", "2010-01-04", "2025-06-27", 3895),
    "TMV.csv": ("TMV", "2010-01-04", "2025-06-27", 3895),
    "PSQ.csv": ("PSQ", "2013-01-10", "2026-07-13", 3395),
    "ORCL.csv": ("ORCL", "1995-01-03", "2014-12-31", 5036),
    "NVDA.csv": ("NVDA", "1999-01-22", "2014-12-31", 4012),
    "extra/PSQ_vintage2019.csv": ("PSQ", "2006-06-21", "2019-01-18", 3167),
    "extra/TQQQ_yahoo_vintage2025.csv": ("TQQQ", "2010-02-11", "2025-06-27", 3868),
}

HEADER = "date,open,high,low,close,adj_close,volume\n"
GOOD = "2020-01-02,10,11,9,10.5,10.4,1000\n2020-01-03,10.5,12,10,11,10.9,2000\n"


@pytest.mark.parametrize("name", sorted(README_TABLE))
def test_every_shared_file_loads_with_the_readme_coverage(name: str) -> None:
    symbol, first, last, rows = README_TABLE[name]
    got_symbol, frame = read_price_csv(PRICES / name)
    assert got_symbol == symbol
    assert len(frame) == rows
    assert frame["date"].iloc[0] == pd.Timestamp(first)
    assert frame["date"].iloc[-1] == pd.Timestamp(last)
    assert list(frame.columns) == ["date", "open", "high", "low", "close", "volume"]
    assert frame["date"].is_monotonic_increasing and frame["date"].is_unique
    assert frame["volume"].dtype == "int64"
    assert all(isinstance(v, Decimal) for v in frame["close"].head(50))


def test_prices_are_the_exact_decimal_text_of_the_file() -> None:
    path = PRICES / "TLT.csv"
    first_line = path.read_text().splitlines()[1].split(",")
    _, frame = read_price_csv(path)
    row = frame.iloc[0]
    assert [row["open"], row["high"], row["low"], row["close"]] == [Decimal(x) for x in first_line[1:5]]
    assert str(row["open"]) == first_line[1]  # e.g. 89.83999633789062, not a float round trip


def test_volume_float_noise_is_rounded() -> None:
    lines = (PRICES / "TQQQ.csv").read_text().splitlines()
    noisy = next(line for line in lines[1:] if "." in line.rsplit(",", 1)[1])
    day, raw_volume = noisy.split(",")[0], noisy.rsplit(",", 1)[1]
    _, frame = read_price_csv(PRICES / "TQQQ.csv")
    got = frame.loc[frame["date"] == pd.Timestamp(day), "volume"].item()
    assert got == round(Decimal(raw_volume))


def test_yahoo_layout_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "SPY.csv"
    path.write_text("Date,Open,High,Low,Close,Adj Close,Volume\n" + GOOD)
    symbol, frame = read_price_csv(path)
    assert symbol == "SPY"
    assert frame["close"].tolist() == [Decimal("10.5"), Decimal("11")]
    assert frame["volume"].tolist() == [1000, 2000]


def test_symbol_comes_from_the_file_name_unless_given(tmp_path: Path) -> None:
    assert symbol_from_path(Path("QQQ.csv")) == "QQQ"
    assert symbol_from_path(Path("PSQ_vintage2019.csv")) == "PSQ"
    path = tmp_path / "whatever.csv"
    path.write_text(HEADER + GOOD)
    assert read_price_csv(path, "BRK.B")[0] == "BRK.B"
    assert read_price_csv(path, "$VIX")[0] == "$VIX"


BAD_ROWS = [
    ("2020-13-45,10,11,9,10.5,10.4,1000\n", 2, "date", "unparseable date"),
    ("02/01/2020,10,11,9,10.5,10.4,1000\n", 2, "date", "unparseable date"),
    ("2020-01-03,10,11,9,10.5,10.4,1000\n2020-01-02,10,11,9,10.5,10.4,1000\n", 3, "date", "out of order"),
    ("2020-01-02,10,11,9,10.5,10.4,1000\n2020-01-02,10,11,9,10.5,10.4,1000\n", 3, "date", "duplicated"),
    ("2020-01-02,NaN,11,9,10.5,10.4,1000\n", 2, "open", "not a number"),
    ("2020-01-02,10,11,,10.5,10.4,1000\n", 2, "low", "empty"),
    ("2020-01-02,10,11,9,abc,10.4,1000\n", 2, "close", "not a number"),
    ("2020-01-02,10,11,-9,10.5,10.4,1000\n", 2, "low", "positive"),
    ("2020-01-02,0,11,9,10.5,10.4,1000\n", 2, "open", "positive"),
    ("2020-01-02,10,8,9,10.5,10.4,1000\n", 2, "high", "below low"),
    ("2020-01-02,10,11,9,12,10.4,1000\n", 2, "close", "outside"),
    ("2020-01-02,8,11,9,10.5,10.4,1000\n", 2, "open", "outside"),
    ("2020-01-02,10,11,9,10.5,10.4,-5\n", 2, "volume", "negative"),
    ("2020-01-02,10,11,9,10.5,10.4\n", 2, "row", "expected 7 values"),
    # beyond what the calendar and storage can hold: one line, never a pandas/decimal traceback
    ("0001-01-01,10,11,9,10.5,10.4,1000\n", 2, "date", "outside the NYSE calendar"),
    ("2099-01-02,10,11,9,10.5,10.4,1000\n", 2, "date", "outside the NYSE calendar"),
    ("2020-01-02,1e400,1e400,9,10.5,10.4,1000\n", 2, "open", "too large"),
    ("2020-01-02,10,11,9,10.5,1e13,1000\n", 2, "adj_close", "too large"),
    ("2020-01-02,10,11,9,10.5,10.4,1e30\n", 2, "volume", "too large"),
    ("2020-01-02,10,Infinity,9,10.5,10.4,1000\n", 2, "high", "not a number"),
    ("2020-01-02,10,1e99999,9,10.5,10.4,1000\n", 2, "high", "not a number"),
    ("2020-01-02," + "9" * 5000 + ",11,9,10.5,10.4,1000\n", 2, "open", "too long"),
    # Decimal() reads non-ASCII digits (Arabic-Indic, full-width) as numbers: refused here
    ("2020-01-02,\u0661\u0660,11,9,10.5,10.4,1000\n", 2, "open", "only ASCII digits"),
    ("2020-01-02,10,11,9,\uff11\uff10.5,10.4,1000\n", 2, "close", "only ASCII digits"),
    ("\u0662\u0660\u0662\u0660-\u0660\u0661-\u0660\u0662,10,11,9,10.5,10.4,1000\n", 2, "date", "unparseable"),
]


@pytest.mark.parametrize(("body", "row", "field", "problem"), BAD_ROWS)
def test_bad_rows_name_file_row_and_field(
    tmp_path: Path, body: str, row: int, field: str, problem: str
) -> None:
    path = tmp_path / "QQQ.csv"
    path.write_text(
        HEADER + "2019-12-31,10,11,9,10.5,10.4,1000\n".replace("2019-12-31", "2019-12-30") + body,
        encoding="utf-8",
    )
    with pytest.raises(DataError) as err:
        read_price_csv(path)
    message = str(err.value)
    assert "\n" not in message and len(message) < 400
    assert str(path) in message
    assert f"row {row + 1}," in message  # +1: the good row written before the body
    assert f"field '{field}'" in message
    assert problem in message


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (HEADER.encode(), "no data rows"),
        (b"time,open,high,low,close,volume\n2020-01-02,1,1,1,1,1\n", "unknown column layout"),
        (b'{"chart": {"result": []}}', "JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"date,open\xff\xfe,high\n", "not UTF-8"),
    ],
)
def test_files_that_are_not_price_csvs_are_refused(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "QQQ.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=problem) as err:
        read_price_csv(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("symbol", ["qqq", "TOOLONGSYMBOL", "1ABC", "QQ Q", "$", "A/B"])
def test_symbols_that_are_not_tickers_are_refused(tmp_path: Path, symbol: str) -> None:
    path = tmp_path / "data.csv"
    path.write_text(HEADER + GOOD)
    with pytest.raises(DataError, match="is not a ticker"):
        read_price_csv(path, symbol)


def test_a_file_name_that_is_not_a_ticker_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "my prices.csv"
    path.write_text(HEADER + GOOD)
    with pytest.raises(DataError, match="is not a ticker"):
        read_price_csv(path)


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        read_price_csv(tmp_path / "QQQ.csv")


def test_csv_directory_source_slices_by_date() -> None:
    source = CsvDirectorySource(PRICES)
    assert {"QQQ", "TQQQ", "PSQ", "TLT", "TMF", "TMV"} <= set(source.symbols())
    frame = source.fetch("QQQ", date(2020, 1, 1), date(2020, 1, 31))
    assert frame["date"].iloc[0] == pd.Timestamp("2020-01-02")
    assert frame["date"].iloc[-1] == pd.Timestamp("2020-01-31")
    assert len(frame) == 21
    with pytest.raises(DataError, match="does not exist"):
        source.fetch("ZZZZ", date(2020, 1, 1))


def test_storage_validation_refuses_prices_and_volumes_beyond_the_columns() -> None:
    """The same limits guard every source, not only CSV: NUMERIC(18, 6) prices, BIGINT volume."""
    from jutsu.data.validation import MAX_PRICE, MAX_VOLUME, validate_bar_frame

    def frame(price: Decimal, volume: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "date": pd.to_datetime(["2020-01-02"]),
                "open": [price],
                "high": [price],
                "low": [price],
                "close": [price],
                "volume": pd.Series([volume], dtype="int64"),
            }
        )

    validate_bar_frame(frame(MAX_PRICE, MAX_VOLUME), "QQQ")
    with pytest.raises(DataError, match=r"field 'open': price .* too large"):
        validate_bar_frame(frame(MAX_PRICE + Decimal("0.000001"), 1), "QQQ")
