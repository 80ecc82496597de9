import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, vi } from "vitest";
import { NotificationsCard } from "../components/NotificationsCard";

const calls: { url: string; method: string; body: unknown }[] = [];
let testStatus = 200;

function json(body: unknown, status = 200): Promise<Response> {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

beforeEach(() => {
  calls.length = 0;
  testStatus = 200;
  vi.stubGlobal(
    "fetch",
    vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      calls.push({ url, method: init?.method ?? "GET", body: init?.body ? JSON.parse(String(init.body)) : null });
      if (url.startsWith("/api/notifications/channels")) {
        return json({ enabled: true, trade_summary: false, message: "1 slack channel, enabled", channels: [{ name: "slack", type: "slack", enabled: true, target: "https://hooks.slack.com/***" }] });
      }
      if (url.startsWith("/api/notifications/test")) {
        return testStatus === 200
          ? json({ success: false, message: "Not delivered to slack (see the server log)", results: [{ channel: "slack", delivered: false }], timestamp: "2025-01-02T00:00:00Z" })
          : json({ detail: "Notifications are disabled: nothing to test" }, testStatus);
      }
      return json({}, 404);
    }),
  );
});
afterEach(() => vi.unstubAllGlobals());

function renderCard() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <NotificationsCard />
    </QueryClientProvider>,
  );
}

describe("NotificationsCard", () => {
  it("shows the masked channel and reports each channel's delivery of a test alert", async () => {
    renderCard();
    expect(await screen.findByText("https://hooks.slack.com/***")).toBeInTheDocument();
    expect(screen.getByTestId("notifications-summary")).toHaveTextContent("1 slack channel, enabled");
    fireEvent.change(screen.getByLabelText("Test message"), { target: { value: "ping" } });
    fireEvent.click(screen.getByRole("button", { name: "Send test alert" }));
    const result = await screen.findByTestId("notifications-test-result");
    expect(result).toHaveTextContent("Not delivered to slack");
    expect(result).toHaveTextContent("slack: not delivered");
    const post = calls.find((c) => c.url === "/api/notifications/test");
    expect(post).toMatchObject({ method: "POST", body: { message: "ping" } });
  });

  it("shows the server's one-line detail when the test is refused", async () => {
    testStatus = 409;
    renderCard();
    fireEvent.click(await screen.findByRole("button", { name: "Send test alert" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Notifications are disabled: nothing to test");
  });
});
