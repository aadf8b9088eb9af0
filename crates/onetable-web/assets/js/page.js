// What every signed-in page does alike: going to the login page (and back here after), the 退出
// button, and a failure of the page shown in Chinese where its content would be.

import { api, el, signOut } from './api.js';
import { forget } from './offline.js';

export function toLogin() {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

/** Runs the page's `main`: a 401 goes to the login page, any other failure is said on the page. */
export function runPage(main) {
  const logout = document.getElementById('logout');
  if (logout) {
    logout.addEventListener('click', async () => {
      await signOut().catch(() => {});
      // Nothing of the account stays in the browser's cache.
      await forget();
      location.assign('/login');
    });
  }
  passwordNotice().catch(() => {});
  main().catch((e) => {
    if (e.status === 401) return toLogin();
    document.getElementById('main').replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
    return undefined;
  });
}

/** Days left before the password expires, said under the top bar from the warning days on. */
async function passwordNotice() {
  const me = await api('GET', '/api/v1/me');
  if (!me.password_expires_at) return;
  const days = Math.ceil((new Date(me.password_expires_at) - Date.now()) / 86_400_000);
  if (days > me.password_warning_days) return;
  const notice = el('p', { class: 'password-notice', role: 'status' },
    days > 0 ? `您的密码将在 ${days} 天后过期，` : '您的密码已过期，', el('a', { href: '/password' }, '请修改密码'));
  document.querySelector('.topbar')?.after(notice);
}

/**
 * A refusal at its fields: each detail under the field it names (several of one field all said),
 * the rest and the message in `message`. `fieldOf(detail.field)` gives the `data-field` it goes
 * to (default: the field's own name).
 */
export function showFieldErrors(form, message, error, fieldOf = (field) => field) {
  form.querySelectorAll('[data-field] > .error').forEach((p) => { p.hidden = true; });
  message.replaceChildren(el('p', { class: 'error' }, error.message));
  for (const d of error.details) {
    const name = d.field ? fieldOf(d.field) : null;
    const at = name && form.querySelector(`[data-field="${name}"] > .error`);
    if (at) {
      at.textContent = at.hidden ? d.message : `${at.textContent}；${d.message}`;
      at.hidden = false;
    } else {
      message.append(el('p', { class: 'error' }, d.message));
    }
  }
}
