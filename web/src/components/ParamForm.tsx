import { useId } from "react";
import { validateField, type ParamField } from "../lib/paramSchema";

interface Props {
  fields: ParamField[];
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
}

/** Inputs generated from the strategy's parameter schema, each labelled and validated as typed. */
export function ParamForm({ fields, values, onChange }: Props) {
  const base = useId();
  if (fields.length === 0) return <p className="muted">This strategy has no parameters.</p>;
  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="param-form">
      {fields.map((f) => {
        const id = `${base}-${f.name}`;
        const value = values[f.name] ?? f.defaultValue;
        const error = validateField(f, value);
        const set = (v: string) => onChange({ ...values, [f.name]: v });
        const describedBy = error ? `${id}-err` : f.description ? `${id}-desc` : undefined;
        return (
          <div key={f.name}>
            {f.kind === "boolean" ? (
              <label htmlFor={id} className="flex items-center gap-2 text-sm">
                <input id={id} type="checkbox" checked={value === "true"} onChange={(e) => set(e.target.checked ? "true" : "false")} />
                {f.label}
              </label>
            ) : (
              <>
                <label htmlFor={id} className="label">
                  {f.label}
                </label>
                {f.kind === "enum" ? (
                  <select id={id} className="input" value={value} onChange={(e) => set(e.target.value)}>
                    {f.options?.map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    id={id}
                    className={`input ${error ? "border-red-500" : ""}`}
                    type={f.kind === "string" ? "text" : "number"}
                    step={f.kind === "integer" ? 1 : "any"}
                    min={f.min}
                    max={f.max}
                    value={value}
                    aria-invalid={error ? true : undefined}
                    aria-describedby={describedBy}
                    onChange={(e) => set(e.target.value)}
                  />
                )}
              </>
            )}
            {error ? (
              <p id={`${id}-err`} role="alert" className="mt-1 text-xs text-red-600">
                {error}
              </p>
            ) : (
              f.description && (
                <p id={`${id}-desc`} className="mt-1 text-xs text-slate-500">
                  {f.description}
                </p>
              )
            )}
          </div>
        );
      })}
    </div>
  );
}
