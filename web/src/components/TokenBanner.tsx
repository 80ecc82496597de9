import { Link } from "react-router-dom";
import { tokenBanner, type TokenStatusLike } from "../lib/tokenBanner";

const STYLES = {
  info: "border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-700 dark:bg-sky-950 dark:text-sky-100",
  warning: "border-yellow-300 bg-yellow-50 text-yellow-900 dark:border-yellow-700 dark:bg-yellow-950 dark:text-yellow-100",
  danger: "border-red-300 bg-red-50 text-red-900 dark:border-red-700 dark:bg-red-950 dark:text-red-100",
} as const;

/** Broker-token banner (admins only — the caller decides); hidden while the token has > 5 days. */
export function TokenBanner({ status }: { status: TokenStatusLike | null | undefined }) {
  const state = tokenBanner(status);
  if (state.level === "hidden") return null;
  return (
    <div
      role={state.level === "danger" ? "alert" : "status"}
      data-testid="token-banner"
      data-level={state.level}
      className={`flex flex-wrap items-center justify-between gap-2 rounded-md border px-3 py-2 text-sm ${STYLES[state.level]}`}
    >
      <span className="font-medium">{state.title}</span>
      {state.action && (
        <Link className="underline" to="/settings#broker">
          {state.action}
        </Link>
      )}
    </div>
  );
}
