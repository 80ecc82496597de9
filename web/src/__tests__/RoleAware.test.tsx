import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, beforeEach, vi } from "vitest";
import type { Me } from "../api/types";
import { Can, StaticAuthProvider } from "../auth/AuthContext";
import { ToastProvider } from "../components/Toasts";
import { hasPermission } from "../lib/permissions";
import { EngineCard, SchedulerCard } from "../pages/Dashboard";

const base = { email: null, last_login: null, auth_method: null, permissions: [] };
const admin: Me = { ...base, username: "alice", role: "admin", is_admin: true };
const viewer: Me = { ...base, username: "victor", role: "viewer", is_admin: false };

/** A fake API: answers the read endpoints the cards call (the server stays the authority). */
function fakeFetch(url: string): Promise<Response> {
  const body = url.startsWith("/api/control/state")
    ? { is_running: false, state: "stopped", mode: "dry_run", uptime_seconds: 0 }
    : url.startsWith("/api/control/scheduler")
      ? { enabled: true, execution_time: "5min_before_close" }
      : {};
  return Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } }));
}

beforeEach(() => {
  vi.stubGlobal("fetch", vi.fn((input: RequestInfo | URL) => fakeFetch(String(input))));
});
afterEach(() => vi.unstubAllGlobals());

function renderAs(user: Me | null) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MemoryRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <QueryClientProvider client={qc}>
        <StaticAuthProvider user={user}>
          <ToastProvider>
            <EngineCard strategyId="v3_5b" />
            <SchedulerCard />
            <Can perm="users:manage" fallback={<p>no admin</p>}>
              <p>user admin</p>
            </Can>
          </ToastProvider>
        </StaticAuthProvider>
      </QueryClientProvider>
    </MemoryRouter>,
  );
}

describe("role map (spec §4.5)", () => {
  it("viewers hold the seven read permissions and self-service only", () => {
    for (const p of ["dashboard:read", "performance:read", "trades:read", "config:read", "indicators:read", "regime:read", "status:read", "self:2fa"] as const) {
      expect(hasPermission(viewer, p)).toBe(true);
    }
    for (const p of ["trades:execute", "engine:control", "scheduler:control", "config:write", "users:manage", "broker:manage", "backtest:run"] as const) {
      expect(hasPermission(viewer, p)).toBe(false);
    }
  });

  it("admins hold everything; the server's permission list wins over the role", () => {
    expect(hasPermission(admin, "engine:control")).toBe(true);
    expect(hasPermission({ role: "admin", permissions: ["dashboard:read"] }, "engine:control")).toBe(false);
    expect(hasPermission({ role: "viewer", permissions: ["*"] }, "engine:control")).toBe(true);
    expect(hasPermission(null, "dashboard:read")).toBe(false);
    expect(hasPermission({ role: "investor" }, "dashboard:read")).toBe(false);
  });
});

describe("role-aware rendering", () => {
  it("a viewer sees the engine state but no admin control at all", async () => {
    renderAs(viewer);
    expect(await screen.findByTestId("engine-state")).toHaveTextContent("stopped");
    expect(screen.queryByTestId("admin-engine-controls")).toBeNull();
    expect(screen.queryByTestId("admin-scheduler-controls")).toBeNull();
    expect(screen.queryByRole("button", { name: /kill switch/i })).toBeNull();
    expect(screen.queryByRole("button", { name: /run now/i })).toBeNull();
    expect(screen.getByText("no admin")).toBeInTheDocument();
  });

  it("an admin sees the controls, and the kill switch asks for a typed confirmation in a dialog", async () => {
    renderAs(admin);
    await screen.findByTestId("engine-state");
    expect(screen.getByTestId("admin-engine-controls")).toBeInTheDocument();
    expect(screen.getByText("user admin")).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Kill switch" }));
    const dialog = screen.getByRole("dialog", { name: "Activate the kill switch?" });
    expect(dialog).toHaveAttribute("aria-modal", "true");
    const confirm = screen.getByRole("button", { name: "Halt trading" });
    expect(confirm).toBeDisabled();
    fireEvent.change(screen.getByLabelText(/Type HALT to confirm/), { target: { value: "HALT" } });
    expect(confirm).toBeEnabled();
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    // Nothing was posted: only GETs reached the fake server.
    const calls = (fetch as unknown as { mock: { calls: [string, RequestInit?][] } }).mock.calls;
    expect(calls.every(([, init]) => (init?.method ?? "GET") === "GET")).toBe(true);
  });
});
