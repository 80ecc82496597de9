import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { TokenBanner } from "../components/TokenBanner";
import { tokenBanner } from "../lib/tokenBanner";

const ok = (days: number) => ({ token_exists: true, token_valid: days > 0, expires_in_days: days });

describe("tokenBanner thresholds", () => {
  it.each([
    [6.4, "hidden"],
    [5.01, "hidden"],
    [5, "info"],
    [3, "info"],
    [2.01, "info"],
    [2, "warning"],
    [1.5, "warning"],
    [1.01, "warning"],
    [1, "danger"],
    [0.6, "danger"],
    [0.49, "danger"],
    [0, "danger"],
    [-1, "danger"],
  ] as const)("%s days → %s", (days, level) => {
    expect(tokenBanner(ok(days)).level).toBe(level);
  });

  it("under 12 hours shows the hours left", () => {
    expect(tokenBanner(ok(0.25)).title).toContain("6 h");
  });

  it("a missing token is red 'Not Connected'; an invalid one is 'Expired'", () => {
    expect(tokenBanner({ token_exists: false })).toMatchObject({ level: "danger", title: "Schwab Not Connected" });
    expect(tokenBanner({ token_exists: true, token_valid: false, expires_in_days: 3 })).toMatchObject({ level: "danger", title: "Schwab Token Expired" });
  });

  it("no status (viewer, endpoint absent) renders nothing", () => {
    expect(tokenBanner(undefined).level).toBe("hidden");
  });
});

describe("TokenBanner component", () => {
  const renderBanner = (days: number) =>
    render(
      <MemoryRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <TokenBanner status={ok(days)} />
      </MemoryRouter>,
    );

  it("is absent above 5 days", () => {
    renderBanner(6);
    expect(screen.queryByTestId("token-banner")).toBeNull();
  });

  it("is blue between 2 and 5 days, with a polite status role", () => {
    renderBanner(4);
    const b = screen.getByTestId("token-banner");
    expect(b).toHaveAttribute("data-level", "info");
    expect(b).toHaveAttribute("role", "status");
    expect(b.className).toContain("sky");
    expect(screen.getByRole("link", { name: "Refresh Early" })).toBeInTheDocument();
  });

  it("is yellow between 1 and 2 days", () => {
    renderBanner(1.5);
    expect(screen.getByTestId("token-banner").className).toContain("yellow");
  });

  it("is a red alert below 12 hours", () => {
    renderBanner(0.3);
    const b = screen.getByRole("alert");
    expect(b.className).toContain("red");
  });
});
