/**
 * Live updates over the WebSocket `/ws?token=…` (spec §3.16): `{type, data}` messages invalidate the
 * matching query-key prefixes or write into the cache; trades and errors raise toasts. Reconnects with
 * exponential backoff (3 s × 1.5^n, 10 attempts, then a manual "reconnect"), pings every 30 s. While
 * the socket is down, the polling fallbacks of spec §7.1 are active (`usePolling`).
 */
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { createElement } from "react";
import { INVALIDATIONS, queryKeys } from "../api/queryKeys";
import { getAccessToken, onSessionChange, refreshSession } from "../api/session";
import { useToast } from "../components/Toasts";

export type SocketState = "connecting" | "open" | "closed" | "gave-up";

interface LiveValue {
  state: SocketState;
  reconnect: () => void;
}

const LiveContext = createContext<LiveValue>({ state: "closed", reconnect: () => {} });

export const MAX_ATTEMPTS = 10;

/** Delay before reconnect attempt `n` (0-based): 3 s × 1.5^n. */
export function backoffMs(n: number): number {
  return Math.round(3000 * 1.5 ** n);
}

interface Message {
  type: string;
  data?: Record<string, unknown> | null;
  message?: string;
}

export function LiveProvider({ children, enabled }: { children: ReactNode; enabled: boolean }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [state, setState] = useState<SocketState>("closed");
  const [generation, setGeneration] = useState(0);
  const attempts = useRef(0);

  useEffect(() => onSessionChange(() => setGeneration((g) => g + 1)), []);

  useEffect(() => {
    if (!enabled || typeof WebSocket === "undefined") return;
    let ws: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let ping: ReturnType<typeof setInterval> | null = null;
    let stopped = false;

    const handle = (msg: Message) => {
      const data = msg.data ?? {};
      if (msg.type === "status_update") {
        qc.setQueryData(queryKeys.engine(), data);
        return;
      }
      for (const prefix of INVALIDATIONS[msg.type] ?? []) void qc.invalidateQueries({ queryKey: prefix });
      if (msg.type === "trade_executed") {
        toast("success", `Trade: ${String(data.action ?? "")} ${String(data.quantity ?? "")} ${String(data.symbol ?? "")} (${String(data.strategy_id ?? "")})`);
      } else if (msg.type === "regime_change") {
        const n = (data.new ?? {}) as { cell?: number };
        toast("info", `Regime change for ${String(data.strategy_id ?? "")}: now Cell ${String(n.cell ?? "?")}`);
      } else if (msg.type === "error") {
        toast("error", msg.message ?? String((data as { message?: string }).message ?? "Server error"));
      } else if (msg.type === "job_status") {
        const status = String(data.status ?? "");
        if (status === "failed") toast("error", `${String(data.job ?? "Job")} failed: ${String(data.error ?? "")}`);
        else if (status === "completed") toast("success", `${String(data.job ?? "Job")} completed`);
      }
    };

    const connect = () => {
      if (stopped) return;
      const token = getAccessToken();
      const proto = window.location.protocol === "https:" ? "wss" : "ws";
      const url = `${proto}://${window.location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ""}`;
      setState("connecting");
      try {
        ws = new WebSocket(url);
      } catch {
        schedule();
        return;
      }
      ws.onopen = () => {
        attempts.current = 0;
        setState("open");
        ping = setInterval(() => ws?.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ type: "ping" })), 30000);
      };
      ws.onmessage = (ev) => {
        try {
          handle(JSON.parse(String(ev.data)) as Message);
        } catch {
          /* ignore malformed frames */
        }
      };
      ws.onclose = (ev) => {
        if (ping) clearInterval(ping);
        ping = null;
        if (stopped) return;
        setState("closed");
        if (ev.code === 4001) {
          // token expired or revoked: refresh, then reconnect with the new one
          void refreshSession().then(() => schedule());
          return;
        }
        schedule();
      };
    };

    const schedule = () => {
      if (stopped) return;
      if (attempts.current >= MAX_ATTEMPTS) {
        setState("gave-up");
        return;
      }
      const delay = backoffMs(attempts.current);
      attempts.current += 1;
      timer = setTimeout(connect, delay);
    };

    connect();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (ping) clearInterval(ping);
      ws?.close();
    };
  }, [enabled, generation, qc, toast]);

  const reconnect = () => {
    attempts.current = 0;
    setGeneration((g) => g + 1);
  };
  return createElement(LiveContext.Provider, { value: { state, reconnect } }, children);
}

export function useLive(): LiveValue {
  return useContext(LiveContext);
}

/** A refetch interval active only while the WebSocket is not open (spec §7.1 polling fallbacks). */
export function usePolling(ms: number): number | false {
  const { state } = useLive();
  return state === "open" ? false : ms;
}
