import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import type { JsonSchema } from "../api/types";
import { ParamForm } from "../components/ParamForm";
import { buildParameters, fieldsFromSchema, validateField } from "../lib/paramSchema";

// The shapes pydantic's model_json_schema() produces for the strategies' Params models.
const schema: JsonSchema = {
  type: "object",
  title: "Params",
  properties: {
    sma_fast: { type: "integer", minimum: 5, maximum: 100, default: 40, title: "Sma Fast", description: "fast window" },
    leverage_scalar: { anyOf: [{ type: "number", minimum: 0.5, maximum: 1.5 }, { type: "string" }], default: "1.0", title: "Leverage Scalar" },
    t_norm_bull: { anyOf: [{ type: "number", exclusiveMinimum: 0, maximum: 1 }, { type: "string" }], default: "0.2", title: "T Norm Bull" },
    allow_treasury: { type: "boolean", default: true, title: "Allow Treasury" },
    execution_time: { type: "string", enum: ["open", "close"], default: "close", title: "Execution Time" },
    signal_symbol: { type: "string", minLength: 1, default: "QQQ", title: "Signal Symbol" },
  },
  required: ["signal_symbol"],
};

function Harness({ onValues }: { onValues?: (v: Record<string, string>) => void }) {
  const fields = fieldsFromSchema(schema);
  const [values, setValues] = useState<Record<string, string>>({});
  return (
    <ParamForm
      fields={fields}
      values={values}
      onChange={(v) => {
        setValues(v);
        onValues?.(v);
      }}
    />
  );
}

describe("fieldsFromSchema", () => {
  const fields = fieldsFromSchema(schema);
  const byName = Object.fromEntries(fields.map((f) => [f.name, f]));

  it("derives one field per property with the right kind", () => {
    expect(fields.map((f) => f.name)).toEqual(Object.keys(schema.properties!));
    expect(byName.sma_fast!.kind).toBe("integer");
    expect(byName.leverage_scalar!.kind).toBe("number");
    expect(byName.allow_treasury!.kind).toBe("boolean");
    expect(byName.execution_time!.kind).toBe("enum");
    expect(byName.signal_symbol!.kind).toBe("string");
  });

  it("takes bounds from the numeric branch of anyOf and sends decimals as strings", () => {
    expect(byName.leverage_scalar).toMatchObject({ min: 0.5, max: 1.5, asString: true, defaultValue: "1.0" });
    expect(byName.t_norm_bull).toMatchObject({ exclusiveMin: 0, max: 1 });
    expect(byName.sma_fast!.asString).toBe(false);
    expect(byName.signal_symbol!.required).toBe(true);
  });

  it("validates bounds, integers, exclusive minimums and enums", () => {
    expect(validateField(byName.sma_fast!, "4")).toMatch(/≥ 5/);
    expect(validateField(byName.sma_fast!, "101")).toMatch(/≤ 100/);
    expect(validateField(byName.sma_fast!, "7.5")).toMatch(/whole number/);
    expect(validateField(byName.sma_fast!, "50")).toBeNull();
    expect(validateField(byName.t_norm_bull!, "0")).toMatch(/> 0/);
    expect(validateField(byName.leverage_scalar!, "abc")).toMatch(/number/);
    expect(validateField(byName.execution_time!, "noon")).toMatch(/one of/);
    expect(validateField(byName.signal_symbol!, "")).toMatch(/required/);
  });

  it("builds parameters with only changed values, typed per the schema", () => {
    const params = buildParameters(fields, { sma_fast: "30", leverage_scalar: "1.25", allow_treasury: "false", signal_symbol: "QQQ" });
    expect(params).toEqual({ sma_fast: 30, leverage_scalar: "1.25", allow_treasury: false });
  });
});

describe("ParamForm", () => {
  it("renders a labelled control per parameter with defaults", () => {
    render(<Harness />);
    expect(screen.getByLabelText("Sma Fast")).toHaveValue(40);
    expect(screen.getByLabelText("Leverage Scalar")).toHaveValue(1);
    expect(screen.getByLabelText("Allow Treasury")).toBeChecked();
    expect(screen.getByLabelText("Execution Time")).toHaveValue("close");
    expect(screen.getByLabelText("Signal Symbol")).toHaveValue("QQQ");
    expect(screen.getByText("fast window")).toBeInTheDocument();
  });

  it("shows an error for an out-of-range value and marks the input invalid", () => {
    const seen: Record<string, string>[] = [];
    render(<Harness onValues={(v) => seen.push(v)} />);
    const input = screen.getByLabelText("Sma Fast");
    fireEvent.change(input, { target: { value: "500" } });
    expect(screen.getByRole("alert")).toHaveTextContent("Sma Fast must be ≤ 100");
    expect(input).toHaveAttribute("aria-invalid", "true");
    fireEvent.change(input, { target: { value: "20" } });
    expect(screen.queryByRole("alert")).toBeNull();
    fireEvent.click(screen.getByLabelText("Allow Treasury"));
    expect(seen[seen.length - 1]).toMatchObject({ sma_fast: "20", allow_treasury: "false" });
  });
});
