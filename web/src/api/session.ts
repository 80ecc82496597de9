/**
 * The browser session. The access token lives in memory only (never localStorage). The refresh token:
 * when the API runs in cookie mode it is an httpOnly cookie the page never sees; otherwise the API
 * returns it in the JSON body and we keep it in memory plus sessionStorage (per tab, gone when the tab
 * closes) so a page reload does not log the user out. A refresh is scheduled one minute before expiry.
 */

export interface TokenResponse {
  access_token: string;
  refresh_token?: string | null;
  token_type?: string;
  expires_in?: number | null;
  refresh_expires_in?: number | null;
}

const REFRESH_KEY = "jutsu_refresh";

type Listener = (token: string | null) => void;

let accessToken: string | null = null;
let refreshToken: string | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<Listener>();

function readStoredRefresh(): string | null {
  try {
    return sessionStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

export function getAccessToken(): string | null {
  return accessToken;
}

export function onSessionChange(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function emit(): void {
  for (const fn of listeners) fn(accessToken);
}

export function setSession(tokens: TokenResponse): void {
  accessToken = tokens.access_token;
  if (tokens.refresh_token) {
    refreshToken = tokens.refresh_token;
    try {
      sessionStorage.setItem(REFRESH_KEY, tokens.refresh_token);
    } catch {
      /* private mode: memory only */
    }
  }
  if (refreshTimer) clearTimeout(refreshTimer);
  const ttl = tokens.expires_in ?? 900;
  const delayMs = Math.max(10, ttl - 60) * 1000;
  refreshTimer = setTimeout(() => {
    void refreshSession();
  }, delayMs);
  emit();
}

export function clearSession(): void {
  accessToken = null;
  refreshToken = null;
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = null;
  try {
    sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    /* ignore */
  }
  emit();
}

export function currentRefreshToken(): string | null {
  return refreshToken ?? readStoredRefresh();
}

/**
 * Exchange the refresh token (body or cookie) for a new pair. Concurrent callers share one request,
 * because the server rotates refresh tokens and a second use of the old one would revoke the family.
 */
export function refreshSession(): Promise<boolean> {
  if (refreshing) return refreshing;
  const body = currentRefreshToken();
  refreshing = (async () => {
    try {
      const res = await fetch("/api/auth/refresh", {
        method: "POST",
        credentials: "include",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body ? { refresh_token: body } : {}),
      });
      if (!res.ok) {
        clearSession();
        return false;
      }
      setSession((await res.json()) as TokenResponse);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}
