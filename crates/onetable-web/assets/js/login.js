import { signIn, session } from './api.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');
const button = document.getElementById('login-submit');

function next() {
  const target = new URLSearchParams(location.search).get('next') || '/';
  // Only a path of this site: never an address elsewhere.
  return target.startsWith('/') && !target.startsWith('//') ? target : '/';
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
