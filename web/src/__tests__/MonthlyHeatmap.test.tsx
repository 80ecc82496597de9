import { render, screen } from "@testing-library/react";
import { heatColor, MonthlyHeatmap } from "../components/MonthlyHeatmap";
import { correlation, dailyReturns, drawdownSeries, monthlyReturns } from "../lib/stats";

describe("monthlyReturns", () => {
  it("compounds each month from the previous month's last value", () => {
    const pts = [
      { date: "2024-12-30", value: 100 },
      { date: "2024-12-31", value: 100 },
      { date: "2025-01-02", value: 105 },
      { date: "2025-01-31", value: 110 },
      { date: "2025-02-03", value: 120 },
      { date: "2025-02-28", value: 99 },
    ];
    const m = monthlyReturns(pts);
    expect(m.map((x) => [x.year, x.month])).toEqual([
      [2024, 12],
      [2025, 1],
      [2025, 2],
    ]);
    expect(m[0]!.value).toBeCloseTo(0, 12);
    expect(m[1]!.value).toBeCloseTo(110 / 100 - 1, 12);
    expect(m[2]!.value).toBeCloseTo(99 / 110 - 1, 12);
  });

  it("is empty for an empty series", () => {
    expect(monthlyReturns([])).toEqual([]);
  });
});

describe("MonthlyHeatmap", () => {
  const data = [
    { year: 2024, month: 11, value: 0.05 },
    { year: 2024, month: 12, value: -0.02 },
    { year: 2025, month: 1, value: 0.1 },
  ];

  it("lays out years (newest first) by months with an accessible label per cell", () => {
    render(<MonthlyHeatmap data={data} />);
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows.map((r) => r.querySelector("th")?.textContent)).toEqual(["2025", "2024"]);
    expect(screen.getByTestId("heat-2024-11")).toHaveAccessibleName("Nov 2024: +5.00%");
    expect(screen.getByTestId("heat-2024-12")).toHaveTextContent("-2.00");
    expect(screen.getByTestId("heat-2025-2")).toHaveAccessibleName("Feb 2025: no data");
  });

  it("compounds the year's total", () => {
    render(<MonthlyHeatmap data={data} />);
    const expected = ((1.05 * 0.98 - 1) * 100).toFixed(2);
    expect(screen.getByTestId("heat-2024-total")).toHaveTextContent(`+${expected}%`);
  });

  it("colours gains green and losses red, stronger for bigger moves", () => {
    expect(heatColor(0.05)).toMatch(/^rgba\(16, 150, 72/);
    expect(heatColor(-0.05)).toMatch(/^rgba\(210, 40, 40/);
    const alpha = (c: string) => Number(c.split(",")[3]!.replace(")", ""));
    expect(alpha(heatColor(0.08))).toBeGreaterThan(alpha(heatColor(0.01)));
    expect(alpha(heatColor(0.5))).toBeCloseTo(0.9, 5);
  });

  it("says so when there is nothing to show", () => {
    render(<MonthlyHeatmap data={[]} />);
    expect(screen.getByText("No monthly returns yet.")).toBeInTheDocument();
  });
});

describe("series helpers", () => {
  it("drawdown is measured from the running peak", () => {
    const dd = drawdownSeries([
      { date: "a", value: 100 },
      { date: "b", value: 120 },
      { date: "c", value: 90 },
      { date: "d", value: 130 },
    ]);
    expect(dd.map((p) => p.value)).toEqual([0, 0, 90 / 120 - 1, 0]);
  });

  it("correlation is ±1 for linear series and null when too short", () => {
    const a = [1, 2, 3, 4].map((v, i) => ({ date: `d${i}`, value: v / 100 }));
    const b = a.map((p) => ({ date: p.date, value: p.value * 2 + 0.01 }));
    const c = a.map((p) => ({ date: p.date, value: -p.value }));
    expect(correlation(a, b)).toBeCloseTo(1, 12);
    expect(correlation(a, c)).toBeCloseTo(-1, 12);
    expect(correlation(a.slice(0, 2), b.slice(0, 2))).toBeNull();
    expect(dailyReturns([{ date: "x", value: 100 }, { date: "y", value: 110 }])[0]!.value).toBeCloseTo(0.1, 12);
  });
});
