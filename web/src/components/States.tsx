import type { ReactNode } from "react";
import { ApiError, isNotAvailable } from "../api/http";

/** A clear "not available" panel for endpoints the server does not offer (yet). */
export function NotAvailable({ what, children }: { what: string; children?: ReactNode }) {
  return (
    <div role="note" data-testid="not-available" className="rounded-md border border-dashed border-slate-300 p-3 text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
      <strong className="font-medium">{what}: not available.</strong> {children}
    </div>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      {label}
    </p>
  );
}

/** Loading / error / not-available handling shared by every panel. */
export function QueryState({ what, isLoading, error, children }: { what: string; isLoading: boolean; error: unknown; children: ReactNode }) {
  if (isLoading) return <Loading />;
  if (error) {
    if (isNotAvailable(error)) {
      return <NotAvailable what={what}>{error instanceof ApiError ? error.detail : null}</NotAvailable>;
    }
    return (
      <p role="alert" className="text-sm text-red-600">
        {what}: {error instanceof Error ? error.message : "failed to load"}
      </p>
    );
  }
  return <>{children}</>;
}

export function Card({ title, children, actions, className = "", testId }: { title?: ReactNode; children: ReactNode; actions?: ReactNode; className?: string; testId?: string }) {
  return (
    <section className={`card ${className}`} data-testid={testId} aria-label={typeof title === "string" ? title : undefined}>
      {(title || actions) && (
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          {title && <h2 className="text-base font-semibold">{title}</h2>}
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}

export function Stat({ label, value, tone }: { label: string; value: ReactNode; tone?: "pos" | "neg" | null }) {
  return (
    <div className="rounded-md bg-slate-50 p-2 dark:bg-slate-800/60">
      <div className="text-xs text-slate-500 dark:text-slate-400">{label}</div>
      <div className={`text-lg font-semibold tabular-nums ${tone === "pos" ? "text-emerald-600" : tone === "neg" ? "text-red-600" : ""}`}>{value}</div>
    </div>
  );
}
