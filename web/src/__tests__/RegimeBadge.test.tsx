import { render, screen } from "@testing-library/react";
import { RegimeBadge } from "../components/RegimeBadge";
import { CELLS } from "../lib/regime";

describe("RegimeBadge", () => {
  it.each([1, 2, 3, 4, 5, 6])("shows cell %i with its nickname, trend and volatility", (cell) => {
    const info = CELLS[cell]!;
    render(<RegimeBadge cell={cell} />);
    const badge = screen.getByTestId("regime-badge");
    expect(badge).toHaveAttribute("data-cell", String(cell));
    expect(badge).toHaveTextContent(`Cell ${cell}`);
    expect(badge).toHaveTextContent(info.nickname);
    expect(badge).toHaveAccessibleName(new RegExp(`trend ${info.trend}, volatility ${info.vol}`));
  });

  it("uses the served trend/vol labels over the cell's defaults", () => {
    render(<RegimeBadge cell={2} trend="BullWeak" vol="High" />);
    expect(screen.getByTestId("regime-badge")).toHaveTextContent("BullWeak / High vol");
  });

  it("gives each cell a distinct colour", () => {
    const colours = new Set(Object.values(CELLS).map((c) => c.color));
    expect(colours.size).toBe(6);
  });

  it.each([null, undefined, 0, 7])("says there is no regime for %s", (cell) => {
    render(<RegimeBadge cell={cell as number | null | undefined} />);
    expect(screen.queryByTestId("regime-badge")).toBeNull();
    expect(screen.getByText("No regime yet")).toBeInTheDocument();
  });

  it("compact mode shows only the cell", () => {
    render(<RegimeBadge cell={6} compact />);
    expect(screen.getByTestId("regime-badge").textContent).toBe("Cell 6");
  });
});
