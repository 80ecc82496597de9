import { cellInfo } from "../lib/regime";

/** A horizontal strip of regime cells over time (one segment per run of identical cells). */
export function RegimeTimeline({ points }: { points: { date: string; cell: number | null | undefined }[] }) {
  const segments: { cell: number | null; from: string; to: string; n: number }[] = [];
  for (const p of points) {
    const cell = p.cell ?? null;
    const last = segments[segments.length - 1];
    if (last && last.cell === cell) {
      last.to = p.date;
      last.n += 1;
    } else segments.push({ cell, from: p.date, to: p.date, n: 1 });
  }
  if (segments.length === 0 || segments.every((s) => s.cell === null)) return <p className="muted">No regime data.</p>;
  return (
    <div>
      <div className="flex h-5 w-full overflow-hidden rounded" role="img" aria-label={`Regime timeline with ${segments.length} segments`} data-testid="regime-timeline">
        {segments.map((s, i) => (
          <div
            key={i}
            title={`${s.from} → ${s.to}: ${s.cell ? `Cell ${s.cell} ${cellInfo(s.cell)?.nickname ?? ""}` : "no regime"}`}
            style={{ flexGrow: s.n, backgroundColor: cellInfo(s.cell)?.color ?? "#94a3b8" }}
          />
        ))}
      </div>
      <div className="mt-1 flex flex-wrap gap-2 text-xs">
        {[1, 2, 3, 4, 5, 6].map((c) => (
          <span key={c} className="inline-flex items-center gap-1">
            <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm" style={{ backgroundColor: cellInfo(c)!.color }} />
            {c} {cellInfo(c)!.nickname}
          </span>
        ))}
      </div>
    </div>
  );
}
