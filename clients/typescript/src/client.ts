// A typed client for the API: paths, parameters, bodies and responses all come from the
// generated schema (src/schema.d.ts, `make types`), so a contract change breaks the build here
// instead of at run time.
//
// The base URL is the server, without `/api`: every path in the schema already starts with it
// (`http://127.0.0.1:8000` for `make run`; `https://<id>.execute-api.<region>.amazonaws.com/api`,
// the stage URL, when deployed).
import createClient, { type Client, type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema";

export type TokenPair = components["schemas"]["TokenPair"];
export type PostSummary = components["schemas"]["PostSummary"];
export type ApiClient = Client<paths>;

/** An anonymous client (public routes, login). */
export function apiClient(baseUrl: string): ApiClient {
  return createClient<paths>({ baseUrl });
}

export async function login(baseUrl: string, email: string, password: string): Promise<TokenPair> {
  const { data, error } = await apiClient(baseUrl).POST("/api/auth/login", { body: { email, password } });
  if (error) throw new Error(`login failed: ${JSON.stringify(error)}`);
  return data;
}

/**
 * A client that sends the access token and, when a call answers 401 (access tokens last 15
 * minutes), trades the refresh token for a new pair once and repeats the call. Refresh tokens
 * are single-use: `onTokens` receives every new pair so the caller can store it.
 */
export function signedInClient(baseUrl: string, tokens: TokenPair,
                               onTokens: (tokens: TokenPair) => void = () => {}): ApiClient {
  let current = tokens;
  let refreshing: Promise<TokenPair | undefined> | undefined;
  const replays = new WeakMap<Request, Request>();

  async function refresh(): Promise<TokenPair | undefined> {
    const { data } = await apiClient(baseUrl).POST("/api/auth/refresh", {
      body: { refresh_token: current.refresh_token },
    });
    if (data) {
      current = data;
      onTokens(data);
    }
    return data;
  }

  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${current.access_token}`);
      replays.set(request, request.clone()); // a body can be read once: keep a copy to repeat
      return request;
    },
    async onResponse({ request, response }) {
      const replay = replays.get(request);
      if (response.status !== 401 || replay === undefined) return response;
      // Concurrent 401s share one refresh: a refresh token works only once.
      refreshing ??= refresh().finally(() => { refreshing = undefined; });
      if (!(await refreshing)) return response;
      replay.headers.set("Authorization", `Bearer ${current.access_token}`);
      return fetch(replay);
    },
  };
  const client = createClient<paths>({ baseUrl });
  client.use(auth);
  return client;
}
