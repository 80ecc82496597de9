/**
 * A thin typed fetch wrapper over the API (base path `/api`). It adds the bearer token, tries one
 * refresh on a 401 (spec §5.6 step 7), and turns error bodies into `ApiError` with the server's
 * one-line `detail`. Redirecting to /login on a final 401 is done once, in the QueryClient.
 */
import { clearSession, getAccessToken, refreshSession } from "./session";

export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;

  constructor(status: number, detail: string) {
    super(detail);
    this.status = status;
    this.detail = detail;
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  query?: Query;
  json?: unknown;
  form?: Record<string, string>;
  signal?: AbortSignal;
  /** Return the raw Response (CSV download). */
  raw?: boolean;
  /** Do not try a refresh on 401 (the auth endpoints themselves). */
  noRefresh?: boolean;
}

export function buildUrl(path: string, query?: Query): string {
  const url = path.startsWith("/api") || path.startsWith("/ws") ? path : `/api${path}`;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

function detailOf(body: unknown, fallback: string): string {
  if (body && typeof body === "object") {
    const b = body as { detail?: unknown; error?: unknown; message?: unknown };
    if (typeof b.detail === "string") return b.detail;
    if (Array.isArray(b.detail) && b.detail.length > 0) {
      const first = b.detail[0] as { msg?: string; loc?: unknown[] };
      const where = Array.isArray(first.loc) ? first.loc.slice(1).join(".") : "";
      return where ? `${where}: ${first.msg ?? "invalid"}` : (first.msg ?? fallback);
    }
    if (b.detail && typeof b.detail === "object") {
      const inner = b.detail as { message?: unknown };
      if (typeof inner.message === "string") return inner.message;
    }
    if (typeof b.error === "string") return b.error;
    if (typeof b.message === "string") return b.message;
  }
  return fallback;
}

async function send(path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = getAccessToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (opts.form) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.json);
  }
  return fetch(buildUrl(path, opts.query), {
    method: opts.method ?? "GET",
    headers,
    body,
    signal: opts.signal,
    credentials: "include",
  });
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  let res = await send(path, opts);
  if (res.status === 401 && !opts.noRefresh && getAccessToken()) {
    if (await refreshSession()) res = await send(path, opts);
    else clearSession();
  }
  if (!res.ok) {
    let parsed: unknown = null;
    try {
      parsed = await res.json();
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, detailOf(parsed, `${res.status} ${res.statusText}`.trim()));
  }
  if (opts.raw) return res as unknown as T;
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** True when the endpoint is absent or not wired yet, so a page shows "not available". */
export function isNotAvailable(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.status === 405 || err.status === 501 || err.status === 503);
}
