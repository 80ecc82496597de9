import { NavLink, Outlet } from "react-router-dom";
import { useState } from "react";
import { useAuth } from "../auth/AuthContext";
import { useLive } from "../hooks/live";
import { applyTheme, currentTheme, type Theme } from "../lib/theme";

interface NavItem {
  to: string;
  label: string;
  short: string;
  icon: string;
}

export const NAV: NavItem[] = [
  { to: "/", label: "Dashboard", short: "Home", icon: "◧" },
  { to: "/decision-tree", label: "Decision Tree", short: "Tree", icon: "⋔" },
  { to: "/performance", label: "Performance", short: "Perf", icon: "↗" },
  { to: "/compare", label: "Compare", short: "Compare", icon: "⇄" },
  { to: "/backtest", label: "Backtest", short: "Backtest", icon: "⟲" },
  { to: "/research", label: "Research", short: "Research", icon: "▦" },
  { to: "/trades", label: "Trades", short: "Trades", icon: "≡" },
  { to: "/settings", label: "Settings", short: "Settings", icon: "⚙" },
];

/** Phone bottom bar: the four most used pages plus "More". */
const BOTTOM = ["/", "/decision-tree", "/performance", "/trades"];

function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(() => (typeof document !== "undefined" ? currentTheme() : "light"));
  const next: Theme = theme === "dark" ? "light" : "dark";
  return (
    <button
      type="button"
      className="btn-secondary"
      aria-label={`Switch to ${next} mode`}
      aria-pressed={theme === "dark"}
      onClick={() => {
        applyTheme(next);
        setTheme(next);
      }}
    >
      {theme === "dark" ? "☀" : "☾"}
    </button>
  );
}

function LiveIndicator() {
  const { state, reconnect } = useLive();
  if (state === "gave-up") {
    return (
      <button type="button" className="btn-secondary text-xs" onClick={reconnect}>
        Reconnect live updates
      </button>
    );
  }
  const color = state === "open" ? "bg-emerald-500" : state === "connecting" ? "bg-amber-400" : "bg-slate-400";
  return (
    <span className="inline-flex items-center gap-1 text-xs text-slate-500" aria-live="polite">
      <span aria-hidden="true" className={`inline-block h-2 w-2 rounded-full ${color}`} />
      {state === "open" ? "Live" : state === "connecting" ? "Connecting" : "Offline (polling)"}
    </span>
  );
}

const linkClass = ({ isActive }: { isActive: boolean }) =>
  `flex items-center gap-2 rounded-md px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 ${
    isActive ? "bg-sky-100 font-medium text-sky-800 dark:bg-sky-900/50 dark:text-sky-100" : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
  }`;

export function Layout() {
  const { user, logout, authRequired } = useAuth();
  const [collapsed, setCollapsed] = useState(false);
  return (
    <div className="flex min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2">
        Skip to content
      </a>
      <nav aria-label="Main" className={`hidden shrink-0 border-r border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900 md:block ${collapsed ? "w-16" : "w-56"}`}>
        <div className="mb-4 flex items-center justify-between">
          {!collapsed && <span className="text-lg font-bold">Jutsu Labs</span>}
          <button type="button" className="btn-secondary px-2" aria-label={collapsed ? "Expand sidebar" : "Collapse sidebar"} aria-expanded={!collapsed} onClick={() => setCollapsed(!collapsed)}>
            {collapsed ? "»" : "«"}
          </button>
        </div>
        <ul className="space-y-1">
          {NAV.map((n) => (
            <li key={n.to}>
              <NavLink to={n.to} end={n.to === "/"} className={linkClass} title={n.label}>
                <span aria-hidden="true">{n.icon}</span>
                <span className={collapsed ? "sr-only" : ""}>{n.label}</span>
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between gap-2 border-b border-slate-200 bg-white px-4 py-2 dark:border-slate-800 dark:bg-slate-900">
          <span className="font-bold md:hidden">Jutsu Labs</span>
          <div className="ml-auto flex items-center gap-2">
            <LiveIndicator />
            <ThemeToggle />
            {user && (
              <span className="hidden text-sm text-slate-600 dark:text-slate-300 sm:inline" data-testid="current-user">
                {user.username} ({user.role})
              </span>
            )}
            {authRequired && user && (
              <button type="button" className="btn-secondary" onClick={() => void logout()}>
                Sign out
              </button>
            )}
          </div>
        </header>
        <main id="main" className="flex-1 p-3 pb-24 md:p-6 md:pb-6">
          <Outlet />
        </main>
      </div>
      <nav aria-label="Bottom" className="fixed inset-x-0 bottom-0 z-40 border-t border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900 md:hidden" data-testid="bottom-nav">
        <ul className="grid grid-cols-5">
          {NAV.filter((n) => BOTTOM.includes(n.to)).map((n) => (
            <li key={n.to}>
              <NavLink to={n.to} end={n.to === "/"} className={({ isActive }) => `flex flex-col items-center py-2 text-xs ${isActive ? "text-sky-600" : "text-slate-600 dark:text-slate-300"}`}>
                <span aria-hidden="true" className="text-base">{n.icon}</span>
                {n.short}
              </NavLink>
            </li>
          ))}
          <li>
            <NavLink to="/more" className={({ isActive }) => `flex flex-col items-center py-2 text-xs ${isActive ? "text-sky-600" : "text-slate-600 dark:text-slate-300"}`}>
              <span aria-hidden="true" className="text-base">⋯</span>
              More
            </NavLink>
          </li>
        </ul>
      </nav>
    </div>
  );
}

export function MorePage() {
  return (
    <nav aria-label="More pages">
      <h1 className="mb-3 text-xl font-semibold">More</h1>
      <ul className="space-y-1">
        {NAV.filter((n) => !BOTTOM.includes(n.to)).map((n) => (
          <li key={n.to}>
            <NavLink to={n.to} className={linkClass}>
              <span aria-hidden="true">{n.icon}</span>
              {n.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
