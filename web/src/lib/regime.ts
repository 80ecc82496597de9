/** Regime cells of spec §1.5: nickname and a colour per cell (colour-blind-safe palette). */

export interface CellInfo {
  cell: number;
  trend: string;
  vol: string;
  nickname: string;
  /** Tailwind classes for a badge background/text. */
  className: string;
  /** Hex colour for charts. */
  color: string;
}

export const CELLS: Record<number, CellInfo> = {
  1: { cell: 1, trend: "BullStrong", vol: "Low", nickname: "Kill zone", className: "bg-emerald-600 text-white", color: "#009E73" },
  2: { cell: 2, trend: "BullStrong", vol: "High", nickname: "Fragile trend", className: "bg-sky-600 text-white", color: "#56B4E9" },
  3: { cell: 3, trend: "Sideways", vol: "Low", nickname: "Drift", className: "bg-teal-500 text-white", color: "#44AA99" },
  4: { cell: 4, trend: "Sideways", vol: "High", nickname: "Chop", className: "bg-amber-400 text-slate-900", color: "#E69F00" },
  5: { cell: 5, trend: "BearStrong", vol: "Low", nickname: "Grind", className: "bg-orange-600 text-white", color: "#D55E00" },
  6: { cell: 6, trend: "BearStrong", vol: "High", nickname: "Crash", className: "bg-rose-700 text-white", color: "#CC3311" },
};

export function cellInfo(cell: number | null | undefined): CellInfo | null {
  if (cell === null || cell === undefined) return null;
  return CELLS[cell] ?? null;
}
