/**
 * Turn a strategy's parameter JSON schema (pydantic `model_json_schema()`, served by the API) into form
 * fields, validate what the user typed, and build the `parameters` object to send. Decimal parameters
 * appear as `anyOf: [number, string]`; they are sent as strings so the server keeps them exact.
 */
import type { JsonSchema } from "../api/types";

export type FieldKind = "integer" | "number" | "boolean" | "enum" | "string";

export interface ParamField {
  name: string;
  label: string;
  kind: FieldKind;
  description?: string;
  required: boolean;
  defaultValue: string;
  min?: number;
  max?: number;
  exclusiveMin?: number;
  exclusiveMax?: number;
  options?: string[];
  /** Send as a string (Decimal) instead of a JSON number. */
  asString: boolean;
}

function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (schema.$ref) {
    const name = schema.$ref.split("/").pop() ?? "";
    return root.$defs?.[name] ?? schema;
  }
  if (schema.allOf && schema.allOf.length === 1) return { ...schema, ...resolve(schema.allOf[0]!, root) };
  return schema;
}

function fieldFor(name: string, raw: JsonSchema, root: JsonSchema, required: boolean): ParamField {
  const prop = resolve(raw, root);
  let base: JsonSchema = prop;
  let asString = false;
  if (prop.anyOf) {
    const branches = prop.anyOf.map((b) => resolve(b, root)).filter((b) => b.type !== "null");
    const numeric = branches.find((b) => b.type === "number" || b.type === "integer");
    base = numeric ?? branches[0] ?? prop;
    asString = numeric !== undefined && branches.some((b) => b.type === "string");
  }
  const t = Array.isArray(base.type) ? base.type[0] : base.type;
  let kind: FieldKind = "string";
  if (base.enum || prop.enum) kind = "enum";
  else if (t === "integer") kind = "integer";
  else if (t === "number") kind = "number";
  else if (t === "boolean") kind = "boolean";
  const def = prop.default ?? base.default;
  return {
    name,
    label: prop.title ?? name,
    kind,
    description: prop.description ?? base.description,
    required,
    defaultValue: def === undefined || def === null ? "" : String(def),
    min: base.minimum,
    max: base.maximum,
    exclusiveMin: base.exclusiveMinimum,
    exclusiveMax: base.exclusiveMaximum,
    options: (base.enum ?? prop.enum)?.map(String),
    asString,
  };
}

export function fieldsFromSchema(schema: JsonSchema | null | undefined): ParamField[] {
  if (!schema) return [];
  const root = schema;
  const obj = resolve(schema, root);
  const required = new Set(obj.required ?? []);
  return Object.entries(obj.properties ?? {}).map(([name, p]) => fieldFor(name, p, root, required.has(name)));
}

/** A one-line error for a typed value, or null when it is acceptable. */
export function validateField(field: ParamField, value: string): string | null {
  const v = value.trim();
  if (v === "") return field.required ? `${field.label} is required` : null;
  if (field.kind === "integer" || field.kind === "number") {
    const n = Number(v);
    if (!Number.isFinite(n)) return `${field.label} must be a number`;
    if (field.kind === "integer" && !Number.isInteger(n)) return `${field.label} must be a whole number`;
    if (field.min !== undefined && n < field.min) return `${field.label} must be ≥ ${field.min}`;
    if (field.max !== undefined && n > field.max) return `${field.label} must be ≤ ${field.max}`;
    if (field.exclusiveMin !== undefined && n <= field.exclusiveMin) return `${field.label} must be > ${field.exclusiveMin}`;
    if (field.exclusiveMax !== undefined && n >= field.exclusiveMax) return `${field.label} must be < ${field.exclusiveMax}`;
  }
  if (field.kind === "enum" && field.options && !field.options.includes(v)) {
    return `${field.label} must be one of ${field.options.join(", ")}`;
  }
  return null;
}

/** The `parameters` object: only values that differ from the defaults, typed per the schema. */
export function buildParameters(fields: ParamField[], values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = (values[f.name] ?? f.defaultValue).trim();
    if (v === "" || v === f.defaultValue) continue;
    if (f.kind === "integer") out[f.name] = Number.parseInt(v, 10);
    else if (f.kind === "number") out[f.name] = f.asString ? v : Number(v);
    else if (f.kind === "boolean") out[f.name] = v === "true";
    else out[f.name] = v;
  }
  return out;
}
