import { TIME_RANGES, type TimeRange } from "../lib/timeRange";

interface Props {
  value: TimeRange;
  onChange: (r: TimeRange) => void;
  ranges?: readonly TimeRange[];
  label?: string;
}

/** Segmented buttons (a radio group for assistive tech) choosing the visible period. */
export function TimeRangeSelector({ value, onChange, ranges = TIME_RANGES, label = "Time range" }: Props) {
  return (
    <div role="radiogroup" aria-label={label} className="inline-flex overflow-hidden rounded-md border border-slate-300 dark:border-slate-700">
      {ranges.map((r) => {
        const active = r === value;
        return (
          <button
            key={r}
            type="button"
            role="radio"
            aria-checked={active}
            onClick={() => onChange(r)}
            onKeyDown={(e) => {
              const i = ranges.indexOf(value);
              if (e.key === "ArrowRight") onChange(ranges[(i + 1) % ranges.length]!);
              if (e.key === "ArrowLeft") onChange(ranges[(i - 1 + ranges.length) % ranges.length]!);
            }}
            className={`px-3 py-1 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 ${
              active ? "bg-sky-600 text-white" : "bg-white text-slate-700 hover:bg-slate-100 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800"
            }`}
          >
            {r}
          </button>
        );
      })}
    </div>
  );
}
