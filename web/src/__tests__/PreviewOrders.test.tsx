import { render, screen, within } from "@testing-library/react";
import { PreviewOrders, type Preview } from "../components/PreviewOrders";
import { RegimeTimeline } from "../components/RegimeTimeline";

function preview(over: Partial<Preview> = {}): Preview {
  return {
    strategy_id: "v3_5b",
    mode: "dry_run",
    session: "2025-01-02",
    as_of: "2024-12-31T21:00:00Z",
    quote_source: "last_close",
    cash: 4000,
    equity: 9112.3,
    positions: { QQQ: 10 },
    prices: { QQQ: 511.23, TQQQ: 39.565 },
    target_weights: { QQQ: 0.8, TQQQ: 0.2 },
    current_weights: { QQQ: 0.561 },
    regime: { cell: 3, trend_state: "Sideways", vol_state: "Low", t_norm: 0.1, z_score: 0.4 },
    orders: [
      { symbol: "TQQQ", side: "BUY", quantity: 46, reference_price: 39.565, estimated_value: 1819.99, target_weight: 0.2, current_weight: 0, reason: "Cell 3: raise TQQQ from 0.0% to its 20.0% target", regime_cell: 3, below_threshold: false },
      { symbol: "QQQ", side: "BUY", quantity: 1, reference_price: 511.23, estimated_value: 511.23, target_weight: 0.6, current_weight: 0.561, reason: "Cell 3: raise QQQ", regime_cell: 3, below_threshold: true },
    ],
    message: "1 order(s) would be placed; priced at the close of 2024-12-31",
    ...over,
  };
}

describe("PreviewOrders", () => {
  it("lists each order with price, value, weights, reason; threshold orders marked not sent", () => {
    render(<PreviewOrders preview={preview()} />);
    expect(screen.getByTestId("preview-quote-source")).toHaveTextContent("last stored close");
    expect(screen.getByTestId("preview-message")).toHaveTextContent("1 order(s) would be placed");
    const rows = within(screen.getByTestId("preview-table")).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("BUY");
    expect(rows[0]).toHaveTextContent("TQQQ");
    expect(rows[0]).toHaveTextContent("46");
    expect(rows[0]).toHaveTextContent("1,819.99");
    expect(rows[0]).toHaveTextContent("0.00% → 20.00%");
    expect(rows[0]).not.toHaveTextContent("(not sent)");
    expect(rows[1]).toHaveTextContent("(not sent)");
    expect(screen.getByTestId("regime-badge")).toHaveAttribute("data-cell", "3");
  });

  it("names live quotes and shows no table when nothing would be ordered", () => {
    render(<PreviewOrders preview={preview({ quote_source: "live", orders: [], message: "No orders: the strategy holds today (no rebalance signal)" })} />);
    expect(screen.getByTestId("preview-quote-source")).toHaveTextContent("live quotes");
    expect(screen.queryByTestId("preview-table")).toBeNull();
    expect(screen.getByTestId("preview-message")).toHaveTextContent("holds today");
  });
});

describe("RegimeTimeline over backtest equity points", () => {
  it("draws one segment per run of equal cells, weighted by days", () => {
    const points = ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08"].map((date, i) => ({ date, cell: [1, 1, 3, 3, 3][i] }));
    render(<RegimeTimeline points={points} />);
    const strip = screen.getByTestId("regime-timeline");
    expect(strip).toHaveAccessibleName("Regime timeline with 2 segments");
    const segments = Array.from(strip.children) as HTMLElement[];
    expect(segments.map((s) => s.style.flexGrow)).toEqual(["2", "3"]);
    expect(segments[0]!.title).toContain("2024-01-02 → 2024-01-03: Cell 1");
  });
});
