import { useEffect, useId, useRef, useState, type ReactNode } from "react";

interface Props {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
  /** When set, the user must type this word before confirming (kill switch, live mode). */
  typeToConfirm?: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * An accessible modal confirmation (role="dialog", aria-modal, labelled, focus moved in and trapped,
 * Escape cancels). Every admin action goes through it.
 */
export function ConfirmDialog({ open, title, children, confirmLabel = "Confirm", danger = false, typeToConfirm, busy = false, onConfirm, onCancel }: Props) {
  const titleId = useId();
  const descId = useId();
  const inputId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const [typed, setTyped] = useState("");

  useEffect(() => {
    if (!open) {
      setTyped("");
      return;
    }
    const prev = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>("input, button");
    first?.focus();
    return () => prev?.focus();
  }, [open]);

  if (!open) return null;
  const ok = !typeToConfirm || typed.trim() === typeToConfirm;

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      onCancel();
    }
    if (e.key === "Tab" && ref.current) {
      const items = [...ref.current.querySelectorAll<HTMLElement>("input, button, select, textarea, a[href]")].filter((el) => !el.hasAttribute("disabled"));
      if (items.length === 0) return;
      const firstEl = items[0]!;
      const lastEl = items[items.length - 1]!;
      if (e.shiftKey && document.activeElement === firstEl) {
        e.preventDefault();
        lastEl.focus();
      } else if (!e.shiftKey && document.activeElement === lastEl) {
        e.preventDefault();
        firstEl.focus();
      }
    }
  };

  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/50 p-4" onMouseDown={onCancel}>
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={descId}
        className="w-full max-w-md rounded-lg bg-white p-5 shadow-xl dark:bg-slate-900"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        <div id={descId} className="mt-2 text-sm text-slate-600 dark:text-slate-300">
          {children}
        </div>
        {typeToConfirm && (
          <div className="mt-3">
            <label htmlFor={inputId} className="label">
              Type <strong>{typeToConfirm}</strong> to confirm
            </label>
            <input id={inputId} className="input" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          </div>
        )}
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" className="btn-secondary" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className={danger ? "btn-danger" : "btn-primary"} disabled={!ok || busy} onClick={onConfirm}>
            {busy ? "Working…" : confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
