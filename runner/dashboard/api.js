// The admin API from the page. With --admin-token the token, typed into the form, is kept in
// sessionStorage (this tab only) and sent as "authorization: Bearer" on every request.
const TOKEN_KEY = "redial.admin_token";

export class Unauthorized extends Error {}
// The runner answered "no such admin endpoint": a build without that part of the API.
export class NotAvailable extends Error {}
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const getToken = () => sessionStorage.getItem(TOKEN_KEY) || "";
export const setToken = (t) => sessionStorage.setItem(TOKEN_KEY, t);
export const clearToken = () => sessionStorage.removeItem(TOKEN_KEY);

export async function api(method, path, body) {
  const headers = {accept: "application/json"};
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  const init = {method, headers, cache: "no-store"};
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  const error = data && typeof data.error === "string" ? data.error : res.statusText;
  if (res.status === 401) throw new Unauthorized(error);
  if (res.status === 404 && error.startsWith("no such admin endpoint")) throw new NotAvailable(path);
  if (!res.ok) throw new ApiError(res.status, `${method} ${path}: ${res.status} ${error}`);
  return data;
}

// Endpoints found missing, as "GET /admin/records/{key}/explain": asked once per page load, so a
// runner without them is not sent (and the browser's console does not log) a 404 every 3 s.
const missing = new Set();
const endpoint = (method, path) => `${method} ${path.split("?")[0]
  .replace(/^\/admin\/records\/[^/]+\//, "/admin/records/{key}/")
  .replace(/^\/admin\/phones\/[^/]+\//, "/admin/phones/{phone}/")}`;

// The same, but a missing endpoint gives {missing: true} (the caller shows a note) and any other
// error but 401 gives {error}.
export async function tryApi(method, path, body) {
  const name = endpoint(method, path);
  if (missing.has(name)) return {missing: true};
  try {
    return {data: await api(method, path, body)};
  } catch (e) {
    if (e instanceof Unauthorized) throw e;
    if (!(e instanceof NotAvailable)) return {error: e};
    missing.add(name);
    return {missing: true};
  }
}

// How the runner authenticates the dashboard: "bearer" (token form) or "loopback".
export async function sessionKind() {
  const res = await fetch("/ui/session.json", {cache: "no-store"});
  return (await res.json()).auth;
}
