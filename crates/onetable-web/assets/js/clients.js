// 系统凭据: a department's systems and the rotation of their secrets — asked by the department,
// approved by an admin in scope, collected once by the department (the admin never sees it).

import { api, el } from './api.js';

const ROTATION = { none: '', requested: '已申请更换，等待管理员批准', approved: '管理员已批准，可领取新密钥' };

function action(label, path, done, id) {
  const button = el('button', { type: 'button', 'data-action': id }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await done(await api('POST', path, {}));
    } catch (e) {
      button.after(el('p', { class: 'error', role: 'alert' }, e.message));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** The card, or null when the reader sees no system. `reload()` redraws the page. */
export async function clientsCard(me, reload) {
  const list = await api('GET', '/api/v1/clients');
  if (!list.length) return null;
  const item = (c) => {
    const path = `/api/v1/clients/${encodeURIComponent(c.client_id)}/rotation`;
    const row = el('li', { class: 'client', 'data-client': c.client_id },
      el('div', { class: 'work-head' }, el('strong', {}, c.client_id), el('span', { class: 'muted' }, `${c.department} · ${c.region_code}`)),
      el('p', { class: 'muted' }, c.secret_rotated_at ? `密钥上次更换：${new Date(c.secret_rotated_at).toLocaleString('zh-CN', { hour12: false })}` : '密钥自创建以来未更换'),
      ROTATION[c.rotation] ? el('p', { class: 'rotation-state' }, ROTATION[c.rotation]) : null);
    if (me.role === 'department' && c.rotation === 'none') row.append(action('申请更换密钥', path, reload, 'request-rotation'));
    if (me.role === 'admin' && c.rotation === 'requested') row.append(action('批准更换', `${path}/approve`, reload, 'approve-rotation'));
    if (me.role === 'department' && c.rotation === 'approved') {
      row.append(action('领取新密钥', `${path}/collect`, (secret) => {
        row.querySelector('[data-action="collect-secret"]').remove();
        row.append(el('div', { class: 'secret-once' }, el('p', {}, '新密钥只显示这一次，请立即配置到本部门系统；旧密钥已失效：'),
          el('code', { class: 'curl', id: `secret-${c.client_id}` }, secret.client_secret)));
      }, 'collect-secret'));
    }
    return row;
  };
  return el('section', { class: 'card', id: 'clients' }, el('h2', {}, me.role === 'admin' ? '部门系统凭据' : '本部门系统凭据'),
    el('ul', { class: 'list' }, list.map(item)));
}
