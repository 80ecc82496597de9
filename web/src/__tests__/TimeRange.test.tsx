import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { TimeRangeSelector } from "../components/TimeRangeSelector";
import { filterByRange, rangeStart, TIME_RANGES, type TimeRange } from "../lib/timeRange";

describe("rangeStart", () => {
  it("computes calendar starts, clamping to month ends", () => {
    expect(rangeStart("1M", "2025-03-31")).toBe("2025-02-28");
    expect(rangeStart("1M", "2024-03-31")).toBe("2024-02-29");
    expect(rangeStart("3M", "2025-01-15")).toBe("2024-10-15");
    expect(rangeStart("YTD", "2025-06-27")).toBe("2025-01-01");
    expect(rangeStart("1Y", "2025-06-27")).toBe("2024-06-27");
    expect(rangeStart("All", "2025-06-27")).toBeNull();
  });

  it("filters a series inclusively", () => {
    const pts = ["2024-12-31", "2025-01-01", "2025-01-02", "2025-06-27"].map((date) => ({ date }));
    expect(filterByRange(pts, "YTD", "2025-06-27").map((p) => p.date)).toEqual(["2025-01-01", "2025-01-02", "2025-06-27"]);
    expect(filterByRange(pts, "All", "2025-06-27")).toHaveLength(4);
  });
});

function Harness({ initial = "All" as TimeRange, onChange }: { initial?: TimeRange; onChange?: (r: TimeRange) => void }) {
  const [r, setR] = useState<TimeRange>(initial);
  return (
    <TimeRangeSelector
      value={r}
      onChange={(x) => {
        setR(x);
        onChange?.(x);
      }}
    />
  );
}

describe("TimeRangeSelector", () => {
  it("offers 1M, 3M, YTD, 1Y, All as a labelled radio group", () => {
    render(<Harness />);
    expect(screen.getByRole("radiogroup", { name: "Time range" })).toBeInTheDocument();
    expect(screen.getAllByRole("radio").map((b) => b.textContent)).toEqual([...TIME_RANGES]);
    expect(screen.getByRole("radio", { name: "All" })).toHaveAttribute("aria-checked", "true");
  });

  it("clicking selects a range", () => {
    const seen: TimeRange[] = [];
    render(<Harness onChange={(r) => seen.push(r)} />);
    fireEvent.click(screen.getByRole("radio", { name: "YTD" }));
    expect(screen.getByRole("radio", { name: "YTD" })).toHaveAttribute("aria-checked", "true");
    expect(screen.getByRole("radio", { name: "All" })).toHaveAttribute("aria-checked", "false");
    expect(seen).toEqual(["YTD"]);
  });

  it("arrow keys move the selection and wrap around", () => {
    render(<Harness initial="1M" />);
    const group = screen.getByRole("radio", { name: "1M" });
    fireEvent.keyDown(group, { key: "ArrowLeft" });
    expect(screen.getByRole("radio", { name: "All" })).toHaveAttribute("aria-checked", "true");
    fireEvent.keyDown(screen.getByRole("radio", { name: "All" }), { key: "ArrowRight" });
    expect(screen.getByRole("radio", { name: "1M" })).toHaveAttribute("aria-checked", "true");
  });
});
