// The public JSON API, as the console calls it: same-origin, with the HttpOnly token cookies.
// A 401 is tried once more after refreshing the tokens (the refresh cookie); a refusal is an ApiError.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const JSON_HEADERS = { 'Accept': 'application/json', 'Content-Type': 'application/json' };

async function send(method, path, body) {
  const init = { method, headers: JSON_HEADERS, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
  }
  return fetch(path, init);
}

async function errorOf(response) {
  let message = `The service answered ${response.status}.`;
  try {
    const body = await response.json();
    if (body && typeof body.message === 'string') {
      message = body.message;
    }
  } catch (ignored) {
    // not JSON: the status says it
  }
  return new ApiError(response.status, message);
}

let refreshing = null;

/** Refreshes the token pair from the refresh cookie; true when the service gave a new pair. */
async function refresh() {
  if (!refreshing) {
    refreshing = send('POST', '/api/v1/token/refresh/', {})
      .then((r) => r.ok, () => false)
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

/** Calls the API and answers its JSON (null for 204); throws ApiError for any refusal. */
export async function call(method, path, body) {
  let response = await send(method, path, body);
  if (response.status === 401 && !path.startsWith('/api/v1/token/') && await refresh()) {
    response = await send(method, path, body);
  }
  if (!response.ok) {
    throw await errorOf(response);
  }
  return response.status === 204 ? null : response.json();
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);

/** A query string of the non-empty values, in the order given. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') {
      search.set(name, String(value));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
