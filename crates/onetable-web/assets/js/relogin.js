// Signing in again in place, over the form, when a session ends while the clerk works.

import { el, signIn } from './api.js';

/**
 * The session ended (it expired, or was ended elsewhere): the password is asked for in place, so
 * the page — and everything typed on it — stays; the save that met the 401 then goes on.
 */
let reauthenticating = null;
export function signInAgain(subject) {
  if (reauthenticating) return reauthenticating;
  reauthenticating = new Promise((resolve) => {
    const password = el('input', { id: 'relogin-password', type: 'password', autocomplete: 'current-password' });
    const error = el('p', { class: 'error', role: 'alert', hidden: true });
    const button = el('button', { type: 'submit', class: 'primary', id: 'relogin-submit' }, '登录并继续');
    const form = el('form', { class: 'card relogin-card' },
      el('h2', { id: 'relogin-title' }, '登录已过期'),
      el('p', {}, `请输入 ${subject} 的密码后继续，您填写的内容不会丢失。`),
      el('label', { for: 'relogin-password' }, '密码'), password, error, button);
    const dialog = el('div', { class: 'relogin', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'relogin-title' }, form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      button.disabled = true;
      try {
        await signIn(subject, password.value);
        dialog.remove();
        reauthenticating = null;
        resolve();
      } catch (e) {
        error.textContent = e.message;
        error.hidden = false;
        button.disabled = false;
      }
    });
    document.body.append(dialog);
    password.focus();
  });
  return reauthenticating;
}
