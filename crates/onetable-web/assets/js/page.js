// What every signed-in page does alike: going to the login page (and back here after), the 退出
// button, and a failure of the page shown in Chinese where its content would be.

import { el, signOut } from './api.js';
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
  main().catch((e) => {
    if (e.status === 401) return toLogin();
    document.getElementById('main').replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
    return undefined;
  });
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
