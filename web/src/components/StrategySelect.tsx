import { useId } from "react";
import { useStrategies } from "../hooks/strategies";

/** A labelled strategy dropdown over the registry. */
export function StrategySelect({ value, onChange, label = "Strategy", activeOnly = true }: { value: string | undefined; onChange: (id: string) => void; label?: string; activeOnly?: boolean }) {
  const id = useId();
  const { data } = useStrategies(activeOnly);
  return (
    <div className="flex min-w-0 max-w-full items-center gap-2">
      <label htmlFor={id} className="text-sm text-slate-600 dark:text-slate-300">
        {label}
      </label>
      <select id={id} className="input w-auto min-w-0 max-w-[13rem] sm:max-w-none" value={value ?? ""} onChange={(e) => onChange(e.target.value)}>
        {(data?.strategies ?? []).map((s) => (
          <option key={s.id} value={s.id}>
            {s.display_name ?? s.id}
            {s.is_primary ? " (primary)" : ""}
          </option>
        ))}
      </select>
    </div>
  );
}
