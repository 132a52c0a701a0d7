// The README's quickstart in TypeScript: log in, list posts, read one, bookmark it.
//
//   npm run example                                   # against `make run` on 127.0.0.1:8000
//   API_BASE_URL=http://127.0.0.1:8001 npm run example
//
// `make test` runs it against the test server. API_ACCESS_TOKEN and API_REFRESH_TOKEN resume a
// stored session instead of logging in (an expired access token is refreshed on the first 401).
import { login, signedInClient, type TokenPair } from "./client.js";

const baseUrl = process.env.API_BASE_URL ?? "http://127.0.0.1:8000"; // the server, without /api
const email = process.env.API_EMAIL ?? "alice@example.com";
const password = process.env.API_PASSWORD ?? "demo-password-123";

function stored(): TokenPair | undefined {
  const access = process.env.API_ACCESS_TOKEN;
  const refresh = process.env.API_REFRESH_TOKEN;
  if (!access || !refresh) return undefined;
  return { access_token: access, refresh_token: refresh, token_type: "bearer", expires_in: 0 };
}

async function main(): Promise<void> {
  const tokens = stored() ?? (await login(baseUrl, email, password));
  const api = signedInClient(baseUrl, tokens, () => console.log("refreshed: a new token pair"));

  const me = await api.GET("/api/auth/me");
  if (!me.data) throw new Error(`me: ${JSON.stringify(me.error)}`);
  console.log(`signed in as ${me.data.email}`);

  const list = await api.GET("/api/posts", { params: { query: { page: 1, page_size: 5, sort: "newest" } } });
  if (!list.data) throw new Error(`list: ${JSON.stringify(list.error)}`);
  console.log(`${list.data.total} posts; newest: ${list.data.items.map((post) => post.slug).join(", ")}`);
  const first = list.data.items[0];
  if (!first) throw new Error("no published post to read");

  // A post is read by its slug, and bookmarked by its id.
  const post = await api.GET("/api/posts/{post_ref}", { params: { path: { post_ref: first.slug } } });
  if (!post.data) throw new Error(`read: ${JSON.stringify(post.error)}`);
  console.log(`read "${post.data.title}" (${post.data.reading_time_minutes} min, locked: ${post.data.locked})`);

  const saved = await api.POST("/api/bookmarks", { body: { post_id: post.data.id } });
  if (saved.response.status === 409) {
    console.log(`post ${post.data.id} was already bookmarked`);
  } else if (!saved.data) {
    throw new Error(`bookmark: ${JSON.stringify(saved.error)}`);
  } else {
    console.log(`bookmarked post ${post.data.id}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
