import type { Schemas } from "../api/client";
import { formatMoney, formatPct, formatTradingDate } from "../lib/format";
import { RegimeBadge } from "./RegimeBadge";

export type Preview = Schemas["PreviewPublic"];

const SOURCE_LABEL: Record<Preview["quote_source"], string> = {
  last_close: "last stored close",
  live: "live quotes",
};

/**
 * The pre-trade preview (`GET /api/control/preview`): the exact orders the next run would place
 * now, each with its reference price, value, target vs current weight and reason. Orders under
 * the rebalance threshold are listed but marked "not sent", as the run would skip them.
 */
export function PreviewOrders({ preview }: { preview: Preview }) {
  return (
    <div data-testid="preview">
      <p className="text-xs text-slate-500">
        Session {formatTradingDate(preview.session)} · {preview.mode} · prices: <span data-testid="preview-quote-source">{SOURCE_LABEL[preview.quote_source]}</span>
        {preview.regime.cell ? (
          <span className="ml-2 inline-block align-middle">
            <RegimeBadge cell={preview.regime.cell} compact />
          </span>
        ) : null}
      </p>
      <p className="mt-1 text-sm" data-testid="preview-message">
        {preview.message}
      </p>
      {preview.orders.length > 0 && (
        <div className="mt-2 overflow-x-auto">
          <table className="table-basic" data-testid="preview-table">
            <thead>
              <tr>
                <th scope="col">Side</th>
                <th scope="col">Symbol</th>
                <th scope="col">Qty</th>
                <th scope="col">Ref. price</th>
                <th scope="col">Est. value</th>
                <th scope="col">Weight now → target</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {preview.orders.map((o) => (
                <tr key={`${o.side}-${o.symbol}`} className={o.below_threshold ? "opacity-60" : undefined}>
                  <td className={o.side === "BUY" ? "font-semibold text-emerald-600" : "font-semibold text-red-600"}>{o.side}</td>
                  <td>{o.symbol}</td>
                  <td className="tabular-nums">{o.quantity}</td>
                  <td className="tabular-nums">{formatMoney(o.reference_price)}</td>
                  <td className="tabular-nums">{formatMoney(o.estimated_value)}</td>
                  <td className="tabular-nums">
                    {formatPct(o.current_weight, false)} → {formatPct(o.target_weight, false)}
                  </td>
                  <td className="text-xs">
                    {o.reason}
                    {o.below_threshold && <strong className="ml-1">(not sent)</strong>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
