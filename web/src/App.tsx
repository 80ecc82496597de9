/**
 * Providers and routes. The QueryClient handles a final 401 once, for every query and mutation:
 * the session is dropped and the user lands on /login.
 */
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useMemo, useRef, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from "react-router-dom";
import { ApiError } from "./api/http";
import { AuthProvider, useAuth } from "./auth/AuthContext";
import { Layout, MorePage } from "./components/Layout";
import { Loading } from "./components/States";
import { ToastProvider } from "./components/Toasts";
import { LiveProvider } from "./hooks/live";
import { BacktestPage } from "./pages/Backtest";
import { ComparePage } from "./pages/Compare";
import { DashboardPage } from "./pages/Dashboard";
import { DecisionTreePage } from "./pages/DecisionTree";
import { AcceptInvitationPage, LoginPage } from "./pages/Login";
import { PerformancePage } from "./pages/Performance";
import { ResearchPage } from "./pages/Research";
import { SettingsPage } from "./pages/Settings";
import { TradesPage } from "./pages/Trades";

function RequireAuth({ children }: { children: ReactNode }) {
  const { user, loading } = useAuth();
  const location = useLocation();
  if (loading) return <Loading label="Checking session…" />;
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <>{children}</>;
}

function Shell() {
  const { user } = useAuth();
  return (
    <LiveProvider enabled={!!user}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/accept-invitation" element={<AcceptInvitationPage />} />
        <Route
          element={
            <RequireAuth>
              <Layout />
            </RequireAuth>
          }
        >
          <Route index element={<DashboardPage />} />
          <Route path="decision-tree" element={<DecisionTreePage />} />
          <Route path="performance" element={<PerformancePage />} />
          <Route path="compare" element={<ComparePage />} />
          <Route path="backtest" element={<BacktestPage />} />
          <Route path="research" element={<ResearchPage />} />
          <Route path="trades" element={<TradesPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route path="more" element={<MorePage />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </LiveProvider>
  );
}

/** Wires the QueryClient's 401 handler to the router and the auth context. */
function QueryLayer({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  const { expire } = useAuth();
  const handlers = useRef({ navigate, expire });
  handlers.current = { navigate, expire };
  const client = useMemo(() => {
    const on401 = (err: unknown) => {
      if (err instanceof ApiError && err.status === 401 && window.location.pathname !== "/login") {
        handlers.current.expire();
        handlers.current.navigate("/login", { replace: true });
      }
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError: on401 }),
      mutationCache: new MutationCache({ onError: on401 }),
      defaultOptions: {
        queries: {
          staleTime: 10_000,
          refetchOnWindowFocus: false,
          retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
        },
      },
    });
  }, []);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

export function App() {
  return (
    <BrowserRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <AuthProvider>
        <QueryLayer>
          <ToastProvider>
            <Shell />
          </ToastProvider>
        </QueryLayer>
      </AuthProvider>
    </BrowserRouter>
  );
}
