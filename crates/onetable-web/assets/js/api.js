// The one way the pages talk to the server: the documented REST API, authenticated by the
// HttpOnly session cookie. Unsafe methods carry the session's CSRF token, which the page learns
// from GET /api/v1/auth/session and keeps only in memory.

let csrfToken = null;

/** An answer other than 2xx, with the server's {error, message, details}. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `请求失败（${status}）`);
    this.status = status;
    this.code = body && body.error;
    this.details = (body && body.details) || [];
  }
}

async function parse(response) {
  const type = response.headers.get('content-type') || '';
  if (response.status === 204) return null;
  return type.includes('application/json') ? response.json() : response.text();
}

/** The response of a call that succeeded (2xx), or rejects with an ApiError. A `FormData` body
 * (a file upload) goes as multipart; anything else as JSON. */
export async function send(method, path, body, headers = {}) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json', ...headers } };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (!['GET', 'HEAD'].includes(method)) {
    if (csrfToken === null && path !== '/api/v1/auth/session') await session();
    if (csrfToken) init.headers['x-csrf-token'] = csrfToken;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, { error: 'network', message: '网络不可用，请稍后重试' });
  }
  if (!response.ok) {
    const answer = await parse(response);
    if (response.status === 403 && answer && answer.error === 'password_change_required' && location.pathname !== '/password') {
      // The account must choose its own password before anything else works.
      location.assign(`/password?next=${encodeURIComponent(location.pathname + location.search)}`);
    }
    throw new ApiError(response.status, typeof answer === 'object' ? answer : null);
  }
  return response;
}

/** Calls the API; resolves to the JSON answer, or rejects with an ApiError. */
export async function api(method, path, body, headers = {}) {
  return parse(await send(method, path, body, headers));
}

/** The current browser session (its CSRF token and expiry), or null when signed out. */
export async function session() {
  try {
    const s = await api('GET', '/api/v1/auth/session');
    csrfToken = s.csrf_token;
    return s;
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}

/** Signs in with the cookie; resolves to the session. */
export async function signIn(username, password) {
  const s = await api('POST', '/api/v1/auth/session', { username, password });
  csrfToken = s.csrf_token;
  return s;
}

export async function signOut() {
  try {
    await api('DELETE', '/api/v1/auth/session');
  } finally {
    csrfToken = null;
  }
}

/** Text as text: every name from the server goes through here or textContent, never innerHTML. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class') node.className = value;
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * A table in a region that scrolls sideways inside its card, first column fixed (app.css): it
 * takes the keyboard focus and is named for screen readers, so a phone or a keyboard reaches
 * every column.
 */
export function scrolling(table, label) {
  return el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': label }, table);
}

/** Asks for the file; on success it is saved under the server's name, on a refusal its message is shown. */
export async function downloadFile(path, message) {
  message.hidden = true;
  try {
    const response = await send('GET', path);
    const disposition = response.headers.get('content-disposition') || '';
    const name = (/filename="?([^";]+)"?/.exec(disposition) || [])[1] || 'data';
    const url = URL.createObjectURL(await response.blob());
    const link = el('a', { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (e) {
    message.textContent = e.message;
    message.hidden = false;
  }
}
