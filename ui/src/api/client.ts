// The typed client: one function, `api`, that takes a route key of
// routes.gen.ts ("GET /api/pipelines/{id}"), its path parameters, query and
// body, and answers the reply typed by types.ts. Errors become ApiError with
// the server's code, message and details.

import { routes, type PathParams, type RouteKey } from './routes.gen';
import type { ApiErrorBody, Replies } from './types';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

type Query = Record<string, string | number | boolean | undefined>;

type ParamsArg<K extends RouteKey> = keyof PathParams<K> extends never
  ? { params?: undefined }
  : { params: PathParams<K> };

export type RequestOptions<K extends RouteKey> = ParamsArg<K> & {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
};

/** The URL of a route with its path parameters and query filled in. */
export function routeUrl<K extends RouteKey>(key: K, params?: PathParams<K>, query?: Query): string {
  const template = key.slice(key.indexOf(' ') + 1);
  let url = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = (params as Record<string, string | number> | undefined)?.[name];
    if (value === undefined) throw new Error(`${key}: path parameter "${name}" is missing`);
    return encodeURIComponent(String(value));
  });
  if (query) {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, String(v));
    const text = search.toString();
    if (text) url += `?${text}`;
  }
  return url;
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  const e = (value as ApiErrorBody | null)?.error;
  return typeof e === 'object' && e !== null && typeof e.message === 'string';
}

async function send<K extends RouteKey>(key: K, opts: RequestOptions<K>): Promise<Response> {
  const method = key.slice(0, key.indexOf(' '));
  const info = routes[key];
  const init: RequestInit = { method, signal: opts.signal, headers: {} };
  if (opts.body !== undefined) {
    if (info.body === 'none') throw new Error(`${key} takes no body`);
    if (info.body === 'json' && typeof opts.body !== 'string') {
      init.body = JSON.stringify(opts.body);
      init.headers = { 'Content-Type': 'application/json' };
    } else {
      init.body = opts.body as BodyInit;
    }
  }
  let res: Response;
  try {
    res = await fetch(routeUrl(key, opts.params as PathParams<K>, opts.query), init);
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'the weft server cannot be reached', null);
  }
  if (!res.ok) {
    const text = await res.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the status says enough
    }
    if (isErrorBody(body)) {
      throw new ApiError(res.status, body.error.code, body.error.message, body.error.details);
    }
    throw new ApiError(res.status, 'http', `${method} failed with status ${res.status}`, null);
  }
  return res;
}

/** Calls a route that answers JSON. */
export async function api<K extends RouteKey & keyof Replies>(
  key: K,
  ...[opts]: keyof PathParams<K> extends never ? [RequestOptions<K>?] : [RequestOptions<K>]
): Promise<Replies[K]> {
  const res = await send(key, opts ?? ({} as RequestOptions<K>));
  return (await res.json()) as Replies[K];
}

/** Calls a route that answers text (a step's log). */
export async function apiText<K extends RouteKey>(
  key: K,
  ...[opts]: keyof PathParams<K> extends never ? [RequestOptions<K>?] : [RequestOptions<K>]
): Promise<string> {
  const res = await send(key, opts ?? ({} as RequestOptions<K>));
  return res.text();
}

/** A message for people from anything a request threw. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
