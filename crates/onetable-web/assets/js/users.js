// 用户管理: an admin's accounts in scope — create one (the server checks role, region and
// password and answers at the field), reset a password (which also lifts a lockout), disable or
// enable. Changes take effect on the account's next request.

import { api, el, session } from './api.js';
import { ROLES } from './labels.js';
import { regionPicker } from './region_picker.js';
import { runPage, showFieldErrors, toLogin } from './page.js';
import { importCard } from './users_import.js';


function row(name, label, control, id = control.id) {
  return el('div', { class: 'control', 'data-field': name }, el('label', { for: id }, label), control,
    el('p', { class: 'error', role: 'alert', hidden: true }));
}

function createForm(me) {
  const c = {
    username: el('input', { id: 'u-username', type: 'text', autocomplete: 'off' }),
    display_name: el('input', { id: 'u-display_name', type: 'text' }),
    role: el('select', { id: 'u-role' }, ['clerk', 'reviewer', 'admin', 'viewer', 'department'].map((r) => el('option', { value: r }, ROLES[r]))),
    region: regionPicker({ id: 'u-region', within: me.region, initial: me.region ? { code: me.region, name: me.region_name } : null }),
    department: el('input', { id: 'u-department', type: 'text' }),
    phone: el('input', { id: 'u-phone', type: 'tel', autocomplete: 'off' }),
    password: el('input', { id: 'u-password', type: 'password', autocomplete: 'new-password' }),
  };
  const save = el('button', { type: 'button', class: 'primary', id: 'u-save' }, '创建用户');
  const box = el('section', { class: 'card', id: 'user-form' }, el('h2', {}, '新建用户'),
    el('div', { class: 'controls three' }, row('username', '用户名', c.username), row('display_name', '姓名', c.display_name), row('role', '角色', c.role)),
    el('div', { class: 'controls three' }, row('region', '所辖地区（输入名称查找）', c.region.control, 'u-region'), row('department', '部门（部门用户必填）', c.department),
      row('phone', '电话', c.phone)),
    el('div', { class: 'controls three' }, row('password', '初始密码（至少 10 位，本人首次登录时须修改）', c.password)),
    el('div', { class: 'form-message', role: 'alert' }), save);
  save.addEventListener('click', async () => {
    save.disabled = true;
    try {
      await api('POST', '/api/v1/users', {
        username: c.username.value.trim(), display_name: c.display_name.value.trim() || undefined, role: c.role.value,
        region: c.region.code() || undefined, department: c.department.value.trim() || undefined, password: c.password.value,
        phone: c.phone.value.trim() || undefined,
      });
      await draw(me);
    } catch (e) {
      showFieldErrors(box, box.querySelector('.form-message'), e);
    } finally {
      save.disabled = false;
    }
  });
  return box;
}

function userRow(user, me) {
  const state = user.disabled ? '已停用' : user.locked ? '已锁定' : '正常';
  const toggle = el('button', { type: 'button', 'data-action': user.disabled ? 'enable' : 'disable' }, user.disabled ? '启用' : '停用');
  const password = el('input', { type: 'password', id: `pw-${user.username}`, autocomplete: 'new-password', placeholder: '新密码' });
  const reset = el('button', { type: 'button', 'data-action': 'reset' }, '重置密码');
  const message = el('p', { class: 'error', role: 'alert', hidden: true });
  const patch = async (body, done) => {
    message.hidden = true;
    try {
      await api('PATCH', `/api/v1/users/${encodeURIComponent(user.username)}`, body);
      await done();
    } catch (e) {
      message.textContent = e.details.length ? e.details.map((d) => d.message).join('；') : e.message;
      message.hidden = false;
    }
  };
  toggle.addEventListener('click', () => patch({ disabled: !user.disabled }, () => draw(me)));
  reset.addEventListener('click', () => patch({ password: password.value }, async () => {
    password.value = '';
    message.textContent = '密码已重置，该用户已登录的会话已失效；本人下次登录时须修改密码';
    message.className = 'muted';
    message.hidden = false;
  }));
  return el('li', { class: 'user', 'data-username': user.username },
    el('div', { class: 'work-head' }, el('strong', {}, `${user.display_name || user.username}（${user.username}）`),
      el('span', { class: `status ${user.disabled ? 'rejected' : 'approved'}` }, state)),
    el('p', { class: 'muted' }, `${ROLES[user.role] || user.role} · ${user.region_name || user.region || '全国'}${user.department ? ` · ${user.department}` : ''}${user.phone ? ` · ${user.phone}` : ''}${user.must_change_password ? ' · 待本人设置密码' : ''}`),
    user.username === me.subject ? null : el('div', { class: 'user-actions' }, el('label', { for: password.id }, '重置密码'), password,
      el('div', { class: 'panel-buttons' }, reset, toggle), message));
}

let searched = '';

/** The accounts, 200 at a time; a county's 1,300 are found by the search box (用户名 or 姓名). */
async function drawList(me) {
  const query = searched ? `&q=${encodeURIComponent(searched)}` : '';
  const page = await api('GET', `/api/v1/users?limit=200${query}`);
  const more = page.total > page.items.length ? el('p', { class: 'muted' }, `仅显示前 ${page.items.length} 个，请用上面的搜索找到其余的`) : null;
  const search = el('input', { id: 'user-search', type: 'search', value: searched, placeholder: '用户名或姓名' });
  const go = el('button', { type: 'button', id: 'user-search-go' }, '搜索');
  const run = () => { searched = search.value.trim(); drawList(me).catch(() => {}); };
  go.addEventListener('click', run);
  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') run(); });
  document.getElementById('users').replaceChildren(el('h1', {}, `用户管理（${page.total}）`),
    el('div', { class: 'search-row' }, el('label', { for: 'user-search' }, '查找用户'), search, go),
    el('ul', { class: 'list' }, page.items.map((u) => userRow(u, me))), more || '');
  document.body.dataset.drawn = String(page.total);
}

async function draw(me) {
  document.getElementById('main').replaceChildren(el('section', { class: 'card', id: 'users' }),
    importCard(() => drawList(me)), createForm(me));
  await drawList(me);
}

async function main() {
  if (!(await session())) return toLogin();
  const me = await api('GET', '/api/v1/me');
  document.getElementById('who').textContent = `${me.region_name || '全国'} · 管理员 ${me.subject}`;
  await draw(me);
  return undefined;
}

runPage(main);
