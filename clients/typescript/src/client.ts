// A small typed transport for Kabinet: queries and mutations over fetch,
// subscriptions over graphql-ws. The result and variable types come from the
// generated documents (src/generated/graphql.ts), so an operation and the code
// that reads it cannot drift apart without `tsc` noticing.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export * from "./generated/graphql.js";

/** `errors[].extensions.code` values of the API contract (README, "Errors a client must handle"). */
export type ApiErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "RATE_LIMITED"
  | "QUERY_TOO_COMPLEX"
  | "GRAPHQL_PARSE_FAILED"
  | "GRAPHQL_VALIDATION_FAILED"
  | "PERSISTED_QUERY_NOT_FOUND"
  | "PERSISTED_QUERY_NOT_ALLOWED"
  | "INTERNAL";

/** One GraphQL error as the server sends it. `code` is absent only if the server breaks its contract. */
export interface ApiError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: ApiErrorCode; [key: string]: unknown };
}

/** Either the operation's data, or the GraphQL errors (with whatever data came along). */
export type Result<TData> =
  | { ok: true; data: TData }
  | { ok: false; errors: readonly ApiError[]; data: TData | null };

/** Runs a query or mutation over HTTP POST. Network failures throw; GraphQL errors are returned. */
export async function request<TData, TVariables extends Record<string, unknown>>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  token?: string,
): Promise<Result<TData>> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
  const response = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ query: print(document), variables }),
  });
  // Refused requests (400, 429) still carry a GraphQL body with `errors`.
  const body = (await response.json().catch(() => null)) as {
    data?: TData | null;
    errors?: ApiError[];
  } | null;
  if (body === null) {
    throw new Error(`${url}: HTTP ${response.status} without a GraphQL body`);
  }
  if (body.errors !== undefined && body.errors.length > 0) {
    return { ok: false, errors: body.errors, data: body.data ?? null };
  }
  if (body.data === undefined || body.data === null) {
    throw new Error(`${url}: HTTP ${response.status} with neither data nor errors`);
  }
  return { ok: true, data: body.data };
}

/** A graphql-ws (graphql-transport-ws) client on the same path, signed in with `token`. */
export function connect(httpUrl: string, token: string): Client {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return createClient({
    url: url.toString(),
    webSocketImpl: WebSocket, // Node 20 has no global WebSocket
    connectionParams: { authorization: `Bearer ${token}` },
  });
}

/** Follows a subscription: one Result per event; ends when the server completes it or the loop breaks. */
export async function* subscribe<TData, TVariables extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): AsyncGenerator<Result<TData>, void, undefined> {
  for await (const result of client.iterate<TData>({ query: print(document), variables })) {
    if (result.errors !== undefined && result.errors.length > 0) {
      // graphql-ws types extensions loosely; the server keeps the same error shape as over HTTP.
      yield { ok: false, errors: result.errors as readonly ApiError[], data: result.data ?? null };
    } else if (result.data !== undefined && result.data !== null) {
      yield { ok: true, data: result.data };
    }
  }
}
