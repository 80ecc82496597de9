import { formatPct, formatTradingDate, parseTradingDate } from "../lib/format";
import { backoffMs, MAX_ATTEMPTS } from "../hooks/live";

describe("format", () => {
  it("formats ratios ×100 with a sign; zero is 0.00%, null is a dash", () => {
    expect(formatPct(0.0125)).toBe("+1.25%");
    expect(formatPct(-0.5)).toBe("-50.00%");
    expect(formatPct(0)).toBe("0.00%");
    expect(formatPct(null)).toBe("—");
  });

  it("reads trading dates as calendar dates, whatever the zone", () => {
    expect(parseTradingDate("2025-01-01")).toEqual({ year: 2025, month: 1, day: 1 });
    expect(formatTradingDate("2025-01-01")).toBe("Jan 1, 2025");
  });
});

describe("WebSocket backoff", () => {
  it("waits 3 s × 1.5^n and gives up after 10 attempts", () => {
    expect(backoffMs(0)).toBe(3000);
    expect(backoffMs(1)).toBe(4500);
    expect(backoffMs(2)).toBe(6750);
    expect(MAX_ATTEMPTS).toBe(10);
  });
});
