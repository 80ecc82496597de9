import { useId, useState } from "react";
import { ApiError } from "../api/http";
import { useNotificationChannels, useTestNotification } from "../hooks/settings";
import { Card, QueryState } from "./States";

/**
 * Settings → Notification channels (admins): the configured webhook channels with their secret
 * part masked by the server, and a "Send test alert" that goes through the same fan-out the
 * trading run uses, showing the delivery result of each channel.
 */
export function NotificationsCard() {
  const { data, isLoading, error } = useNotificationChannels();
  const test = useTestNotification();
  const [message, setMessage] = useState("Test alert from Jutsu Labs");
  const inputId = useId();
  const testError = test.error instanceof ApiError ? test.error.detail : test.error ? "The test alert could not be sent" : null;
  return (
    <Card title="Notification channels" testId="notifications-card">
      <QueryState what="Notification channels" isLoading={isLoading} error={error}>
        {data && (
          <>
            <p className="text-sm text-slate-500" data-testid="notifications-summary">
              {data.message}
            </p>
            {data.channels.length > 0 && (
              <ul className="mt-2 space-y-1 text-sm">
                {data.channels.map((c) => (
                  <li key={c.name} className="flex flex-wrap items-center gap-2">
                    <strong>{c.name}</strong>
                    <span className="text-xs text-slate-500">{c.type}</span>
                    <code className="text-xs">{c.target}</code>
                    <span className={c.enabled ? "text-emerald-600" : "text-slate-500"}>{c.enabled ? "enabled" : "disabled"}</span>
                  </li>
                ))}
              </ul>
            )}
            <p className="mt-1 text-xs text-slate-500">Daily trade summary: {data.trade_summary ? "on" : "off"}</p>
            <form
              className="mt-3 flex flex-wrap items-end gap-2"
              onSubmit={(e) => {
                e.preventDefault();
                test.mutate(message);
              }}
            >
              <div className="grow">
                <label htmlFor={inputId} className="label">
                  Test message
                </label>
                <input id={inputId} className="input" value={message} maxLength={500} onChange={(e) => setMessage(e.target.value)} />
              </div>
              <button type="submit" className="btn-secondary" disabled={test.isPending || !message.trim() || !data.enabled}>
                {test.isPending ? "Sending…" : "Send test alert"}
              </button>
            </form>
            {test.data && (
              <div role="status" className="mt-2 text-sm" data-testid="notifications-test-result">
                <p className={test.data.success ? "text-emerald-600" : "text-red-600"}>{test.data.message}</p>
                <ul>
                  {test.data.results.map((r) => (
                    <li key={r.channel}>
                      {r.channel}: {r.delivered ? "delivered" : "not delivered"}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {testError && (
              <p role="alert" className="mt-2 text-sm text-red-600">
                {testError}
              </p>
            )}
          </>
        )}
      </QueryState>
    </Card>
  );
}
