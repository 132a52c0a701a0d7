// A typed client for the API: paths, parameters, bodies and responses all come from the
// generated schema (src/schema.d.ts, `make types`), so a contract change breaks the build here
// instead of at run time. Checked by `tsc --noEmit` in `make test`.
import createClient from "openapi-fetch";

import type { components, paths } from "./schema";

export type TokenPair = components["schemas"]["TokenPair"];
export type PostSummary = components["schemas"]["PostSummary"];

export function apiClient(baseUrl: string, accessToken?: string) {
  return createClient<paths>({
    baseUrl,
    headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {},
  });
}

export async function login(baseUrl: string, email: string, password: string): Promise<TokenPair> {
  const { data, error } = await apiClient(baseUrl).POST("/api/auth/login", { body: { email, password } });
  if (error) throw new Error(`login failed: ${JSON.stringify(error)}`);
  return data;
}

export async function latestTitles(baseUrl: string, tag?: string): Promise<string[]> {
  const { data, error } = await apiClient(baseUrl).GET("/api/posts", {
    params: { query: { tag, page: 1, page_size: 5 } },
  });
  if (error) throw new Error(`listing posts failed: ${JSON.stringify(error)}`);
  return data.items.map((post: PostSummary) => post.title);
}
