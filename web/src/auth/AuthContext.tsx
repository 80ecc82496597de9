/**
 * Who is logged in and what they may do. On load: `GET /api/auth/status`; when auth is required we
 * try to resume the session with a refresh (cookie or per-tab refresh token), then `GET /api/auth/me`.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { GET, POST } from "../api/client";
import { clearSession, currentRefreshToken, getAccessToken, refreshSession, setSession } from "../api/session";
import type { LoginResponse, Me } from "../api/types";
import { hasPermission, type Permission } from "../lib/permissions";

export interface AuthValue {
  user: Me | null;
  loading: boolean;
  authRequired: boolean;
  can: (perm: Permission) => boolean;
  /** Finish a login: store tokens and load the user. */
  completeLogin: (tokens: SessionTokens) => Promise<void>;
  logout: () => Promise<void>;
  /** Forget the session locally (after a final 401). */
  expire: () => void;
}

/** The token fields of a login answer (`LoginResponse` of the password/TOTP steps, `TokenResponse` of a passkey). */
export type SessionTokens = Pick<LoginResponse, "access_token" | "refresh_token" | "expires_in">;

const AuthContext = createContext<AuthValue | null>(null);

const ANONYMOUS_ADMIN: Me = { username: "local", role: "admin", is_admin: true, permissions: ["*"], email: null, last_login: null, auth_method: null };

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const [authRequired, setAuthRequired] = useState(true);

  const loadMe = useCallback(async () => {
    const me = await GET("/api/auth/me");
    setUser(me);
  }, []);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const status = await GET("/api/auth/status", { noRefresh: true });
        if (cancelled) return;
        setAuthRequired(status.auth_required);
        if (!status.auth_required) {
          setUser(ANONYMOUS_ADMIN);
          return;
        }
        // The refresh token may be an httpOnly cookie we cannot see, so always try once.
        if (!getAccessToken()) await refreshSession();
        if (getAccessToken()) await loadMe();
      } catch {
        /* not logged in */
      } finally {
        if (!cancelled) setLoading(false);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [loadMe]);

  const completeLogin = useCallback(
    async (tokens: SessionTokens) => {
      if (!tokens.access_token) throw new Error("login did not return a token");
      setSession({
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token ?? null,
        expires_in: tokens.expires_in ?? null,
      });
      await loadMe();
    },
    [loadMe],
  );

  const logout = useCallback(async () => {
    try {
      const rt = currentRefreshToken();
      await POST("/api/auth/logout", { body: rt ? { refresh_token: rt } : {}, noRefresh: true });
    } catch {
      /* the session is dropped locally anyway */
    }
    clearSession();
    setUser(null);
  }, []);

  const expire = useCallback(() => {
    clearSession();
    setUser(null);
  }, []);

  const value = useMemo<AuthValue>(
    () => ({
      user,
      loading,
      authRequired,
      can: (perm) => hasPermission(user, perm),
      completeLogin,
      logout,
      expire,
    }),
    [user, loading, authRequired, completeLogin, logout, expire],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

/** A fixed auth value (tests, storybook-like previews). */
export function StaticAuthProvider({ user, children }: { user: Me | null; children: ReactNode }) {
  const value = useMemo<AuthValue>(
    () => ({
      user,
      loading: false,
      authRequired: true,
      can: (perm) => hasPermission(user, perm),
      completeLogin: async () => {},
      logout: async () => {},
      expire: () => {},
    }),
    [user],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}

/** Renders its children only when the user holds `perm` (admin controls never reach viewers' DOM). */
export function Can({ perm, children, fallback = null }: { perm: Permission; children: ReactNode; fallback?: ReactNode }) {
  const { can } = useAuth();
  return <>{can(perm) ? children : fallback}</>;
}
