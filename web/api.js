// REST and socket addresses of the belayd this page came from, and the
// signed-in token. `?server=host:port` points the page at another belayd
// (development: the page served from elsewhere; REST then needs a browser
// that allows the cross-origin calls, since belayd sends no CORS headers).

const params = new URLSearchParams(location.search);
const secure = location.protocol === 'https:';
export const serverHost = params.get('server') || location.host;
const httpBase = `${secure ? 'https' : 'http'}://${serverHost}`;
const wsBase = `${secure ? 'wss' : 'ws'}://${serverHost}`;

const TOKEN_KEY = 'belay.token';
let memoryToken = ''; // when localStorage is unavailable

export function getToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function setToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage off (private mode): the token lives as long as the page
  }
  memoryToken = token;
}

function token() {
  return getToken() || memoryToken;
}

// The token went bad (401): the caller sends the user back to sign in.
export class AuthError extends Error {}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function request(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json', Authorization: `Token ${token()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(httpBase + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (response.status === 401) throw new AuthError((data && data.detail) || 'Not signed in');
  if (!response.ok) {
    const message = (data && data.detail) || `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  return data;
}

export const me = () => request('/api/users/me/');
export const listSessions = (limit = 50) => request(`/api/sessions/?limit=${limit}`);
export const getSession = (id) => request(`/api/sessions/${encodeURIComponent(id)}/`);
export const listRoutes = () => request('/api/routes/');

// Routes do not change once made: one request per route per page load.
const routes = new Map();
export function getRoute(id) {
  if (!routes.has(id)) {
    const pending = request(`/api/routes/${encodeURIComponent(id)}/`);
    pending.catch(() => routes.delete(id));
    routes.set(id, pending);
  }
  return routes.get(id);
}

export function rememberRoutes(list) {
  for (const r of list) routes.set(r.id, Promise.resolve(r));
}

// A socket URL on the same server, with the token (browsers cannot set
// headers on a WebSocket) and the given query parameters.
export function socketUrl(path, query = {}) {
  const q = new URLSearchParams({ token: token() });
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null) q.set(k, String(v));
  }
  return `${wsBase}${path}?${q}`;
}
