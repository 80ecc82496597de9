/**
 * A small wrapper over lightweight-charts: one line per series (dashed for the baseline), dates as
 * business-day strings, resizes with its container, follows the dark/light theme. The first chart
 * drawn on a page records `window.__jutsuFirstChartMs` (read by the e2e metrics report).
 */
import { useEffect, useRef } from "react";
import { createChart, LineStyle, type IChartApi, type ISeriesApi, type UTCTimestamp } from "lightweight-charts";
import { currentTheme } from "../lib/theme";

export interface ChartSeries {
  name: string;
  color: string;
  points: { date: string; value: number }[];
  dashed?: boolean;
  area?: boolean;
}

interface Props {
  series: ChartSeries[];
  height?: number;
  /** "percent" formats the price scale as %, values are fractions. */
  format?: "money" | "percent" | "number";
  label: string;
  testId?: string;
}

declare global {
  interface Window {
    __jutsuFirstChartMs?: number;
  }
}

function toTime(date: string): string {
  return date.slice(0, 10);
}

export function LineChart({ series, height = 280, format = "money", label, testId }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<IChartApi | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const dark = currentTheme() === "dark";
    const chart = createChart(el, {
      height,
      autoSize: true,
      layout: { background: { color: "transparent" }, textColor: dark ? "#cbd5e1" : "#334155" },
      grid: {
        vertLines: { color: dark ? "#1e293b" : "#e2e8f0" },
        horzLines: { color: dark ? "#1e293b" : "#e2e8f0" },
      },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false },
      localization: {
        priceFormatter: (v: number) =>
          format === "percent" ? `${(v * 100).toFixed(1)}%` : format === "money" ? `$${v.toLocaleString("en-US", { maximumFractionDigits: 0 })}` : v.toFixed(2),
      },
    });
    chartRef.current = chart;
    return () => {
      chart.remove();
      chartRef.current = null;
    };
  }, [height, format]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const added: ISeriesApi<"Line" | "Area">[] = [];
    for (const s of series) {
      const data = s.points
        .filter((p) => Number.isFinite(p.value))
        .map((p) => ({ time: toTime(p.date) as unknown as UTCTimestamp, value: p.value }));
      const api = s.area
        ? chart.addAreaSeries({ lineColor: s.color, topColor: `${s.color}55`, bottomColor: `${s.color}05`, lineWidth: 2, title: s.name })
        : chart.addLineSeries({ color: s.color, lineWidth: 2, lineStyle: s.dashed ? LineStyle.Dashed : LineStyle.Solid, title: s.name });
      api.setData(data);
      added.push(api);
    }
    chart.timeScale().fitContent();
    if (series.some((s) => s.points.length > 0) && window.__jutsuFirstChartMs === undefined) {
      requestAnimationFrame(() => {
        if (window.__jutsuFirstChartMs === undefined) window.__jutsuFirstChartMs = performance.now();
      });
    }
    return () => {
      for (const a of added) {
        try {
          chart.removeSeries(a);
        } catch {
          /* chart already removed */
        }
      }
    };
  }, [series]);

  return (
    <figure aria-label={label} data-testid={testId ?? "chart"} data-points={series.reduce((n, s) => n + s.points.length, 0)}>
      <div ref={ref} style={{ height }} className="w-full" />
      <figcaption className="mt-1 flex flex-wrap gap-3 text-xs text-slate-500">
        {series.map((s) => (
          <span key={s.name} className="inline-flex items-center gap-1">
            <span aria-hidden="true" className="inline-block h-0.5 w-4" style={{ backgroundColor: s.color, borderTop: s.dashed ? `2px dashed ${s.color}` : undefined }} />
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Fixed colours by position for compared strategies; the baseline has its own (amber, dashed). */
export const SERIES_COLORS = ["#0072B2", "#D55E00", "#009E73"] as const;
export const BASELINE_COLOR = "#E69F00";
