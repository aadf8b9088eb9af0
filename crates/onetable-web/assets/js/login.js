import { signIn, session } from './api.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');
const button = document.getElementById('login-submit');

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

function next() {
  return safeNext(new URLSearchParams(location.search).get('next'), location.origin);
}

function show(message) {
  error.textContent = message;
  error.hidden = false;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username) return show('请输入用户名');
  if (!password) return show('请输入密码');
  button.disabled = true;
  try {
    await signIn(username, password);
    location.assign(next());
  } catch (e) {
    show(e.message);
    button.disabled = false;
  }
});

// Already signed in: straight on.
session().then((s) => { if (s) location.assign(next()); }, () => {});
