// Where a page may send a person next (the `next` of /login and /password): this site only.

// Where to go after signing in: only a path of this site. A browser reads `/\evil.example`
// and `/<tab>/evil.example` as addresses elsewhere, so the target is resolved as the browser
// would and its origin compared; backslashes, control characters and encoded slashes are
// refused outright.
export function safeNext(target, origin) {
  if (!target || !target.startsWith('/') || target.startsWith('//')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]|%2f|%5c|%0|%1|%7f/i.test(target)) return '/';
  let url;
  try {
    url = new URL(target, origin);
  } catch {
    return '/';
  }
  if (url.origin !== origin) return '/';
  return url.pathname + url.search + url.hash;
}
