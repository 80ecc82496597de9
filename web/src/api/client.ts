/**
 * The typed API client: every request and response type comes from `src/client/schema.d.ts`,
 * which `npm run gen:client` generates from the server's OpenAPI schema (`web/openapi.json`).
 *
 * Why not hand-written payload types: when the API renames a field, a query parameter or a
 * path, the regenerated schema changes and `npm run build` (tsc) fails at every use that no
 * longer matches, instead of the page silently showing "—". The transport (bearer token, one
 * refresh on 401, `ApiError` with the server's `detail`) stays in `http.ts`.
 *
 * Usage: `GET("/api/status", { query: { strategy_id } })` → `Promise<Schemas["SystemStatus"]>`;
 * `POST("/api/v1/backtest/run", { body })`; path parameters: `{ path: { backtest_id: id } }`.
 */
import type { components, paths } from "../client/schema";
import { api, type Query, type RequestOptions } from "./http";

/** Every schema of the API (`components["schemas"]`), e.g. `Schemas["SystemStatus"]`. */
export type Schemas = components["schemas"];

export type Method = "get" | "post" | "put" | "delete";

/** The operation object of `path` + `method` (never when the path has no such method). */
export type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** The paths that have `method`. */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: [Operation<P, M>] extends [never] ? never : P;
}[keyof paths];

type ParamsOf<O> = O extends { parameters: infer X } ? X : never;
export type QueryOf<O> = ParamsOf<O> extends { query?: infer Q } ? Q : never;
export type PathParamsOf<O> = ParamsOf<O> extends { path?: infer Q } ? Q : never;
export type JsonBodyOf<O> = O extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;
export type FormBodyOf<O> = O extends { requestBody?: { content: { "application/x-www-form-urlencoded": infer B } } } ? B : never;

type JsonContent<R> = R extends { content: { "application/json": infer T } } ? T : undefined;
/** The JSON body of the operation's success response (200, 201 or 202; 204 → undefined). */
export type ResponseOf<O> = O extends { responses: infer R }
  ? 200 extends keyof R
    ? JsonContent<R[200]>
    : 201 extends keyof R
      ? JsonContent<R[201]>
      : 202 extends keyof R
        ? JsonContent<R[202]>
        : undefined
  : never;

/** The response type of `GET path`, e.g. `GetResponse<"/api/positions">`. */
export type GetResponse<P extends PathsWith<"get">> = ResponseOf<Operation<P, "get">>;

export interface CallOptions<O> {
  path?: PathParamsOf<O>;
  query?: QueryOf<O>;
  body?: JsonBodyOf<O>;
  form?: FormBodyOf<O>;
  signal?: AbortSignal;
  /** Do not try a refresh on 401 (the auth endpoints themselves). */
  noRefresh?: boolean;
}

/** `/api/v1/backtest/{backtest_id}` + `{backtest_id: "x y"}` → `/api/v1/backtest/x%20y`. */
export function fillPath(template: string, params?: object): string {
  const values = (params ?? {}) as Record<string, unknown>;
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined || v === null) throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(String(v));
  });
}

function call<O>(method: RequestOptions["method"], template: string, init: CallOptions<O> = {}): Promise<ResponseOf<O>> {
  return api<ResponseOf<O>>(fillPath(template, init.path as object | undefined), {
    method,
    query: init.query as Query | undefined,
    json: init.body,
    form: init.form as Record<string, string> | undefined,
    signal: init.signal,
    noRefresh: init.noRefresh,
  });
}

export function GET<P extends PathsWith<"get">>(path: P, init?: CallOptions<Operation<P, "get">>) {
  return call<Operation<P, "get">>("GET", path, init);
}

export function POST<P extends PathsWith<"post">>(path: P, init?: CallOptions<Operation<P, "post">>) {
  return call<Operation<P, "post">>("POST", path, init);
}

export function PUT<P extends PathsWith<"put">>(path: P, init?: CallOptions<Operation<P, "put">>) {
  return call<Operation<P, "put">>("PUT", path, init);
}

export function DELETE<P extends PathsWith<"delete">>(path: P, init?: CallOptions<Operation<P, "delete">>) {
  return call<Operation<P, "delete">>("DELETE", path, init);
}
