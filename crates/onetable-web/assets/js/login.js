import { signIn, session } from './api.js';
import { safeNext } from './next.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');
const button = document.getElementById('login-submit');

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
    const signedIn = await signIn(username, password);
    // A password someone else chose (or an expired one) is replaced before anything else.
    if (signedIn.password_change_required) location.assign(`/password?next=${encodeURIComponent(next())}`);
    else location.assign(next());
  } catch (e) {
    show(e.message);
    button.disabled = false;
  }
});

// Already signed in: straight on.
session().then((s) => {
  if (s && s.password_change_required) location.assign(`/password?next=${encodeURIComponent(next())}`);
  else if (s) location.assign(next());
}, () => {});
