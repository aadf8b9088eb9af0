// The person's own password (修改密码): the page an account is led to when it must choose its
// own (an admin or a bulk import set it, or it expired), and the one anyone reaches from 修改密码.

import { api, el, session, signOut } from './api.js';
import { safeNext } from './next.js';
import { showFieldErrors } from './page.js';
import { when } from './labels.js';

const form = document.getElementById('password-form');
const message = document.getElementById('password-message');
const button = document.getElementById('password-submit');

function next() {
  const target = safeNext(new URLSearchParams(location.search).get('next'), location.origin);
  return target.startsWith('/password') ? '/' : target;
}

async function main() {
  const current = await session();
  if (!current) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  const me = await api('GET', '/api/v1/me');
  if (me.password_change_required) {
    document.getElementById('password-title').textContent = '请先设置您自己的密码';
    document.getElementById('password-why').prepend(
      '您的密码由管理员设置或已过期，设置新密码后才能继续使用。',
      el('br'),
    );
    return;
  }
  const back = document.getElementById('password-back');
  back.href = next();
  back.hidden = false;
  if (me.password_expires_at) {
    document.getElementById('password-why').append(el('br'), `当前密码有效期至 ${when(me.password_expires_at)}。`);
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  form.querySelectorAll('[data-field] > .error').forEach((p) => { p.hidden = true; });
  message.replaceChildren();
  const body = { current: form.current.value, new: form.new.value };
  const missing = [];
  if (!body.current) missing.push({ field: 'current', message: '请输入当前密码' });
  if (!body.new) missing.push({ field: 'new', message: '请输入新密码' });
  else if (form.confirm.value !== body.new) missing.push({ field: 'confirm', message: '两次输入的新密码不一致' });
  if (missing.length) {
    showFieldErrors(form, message, { message: '请按提示填写', details: missing });
    return;
  }
  button.disabled = true;
  try {
    await api('POST', '/api/v1/me/password', body);
    // The answer set a new session (the old one ended with the old password): learn its token.
    await session();
    message.replaceChildren(el('p', { class: 'saved-note' }, '密码已修改，其他设备上的登录已退出'));
    setTimeout(() => location.assign(next()), 800);
  } catch (e) {
    showFieldErrors(form, message, e);
    button.disabled = false;
  }
});

document.getElementById('logout').addEventListener('click', async () => {
  await signOut().catch(() => {});
  location.assign('/login');
});

main().catch((e) => message.replaceChildren(el('p', { class: 'error' }, e.message)));
