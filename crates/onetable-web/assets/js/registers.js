// 台账: the lists behind the counts, kept once by the village. The clerk picks a register, sees
// the counts it feeds the form, searches and filters the list, adds, changes and closes records,
// and imports the village's own Excel list; the reviewer reads the lists of its villages (masked)
// and the persons listed in two villages. Every rule is the server's.

import { api, el, scrolling, session } from './api.js';
import { ROLES } from './labels.js';
import { runPage, toLogin } from './page.js';
import { closeForm, exportForm, historyList, recordForm, revealForm } from './register_record.js';
import { importCard } from './register_import.js';
import { discard, flush, waiting } from './record_outbox.js';

const state = { register: null, registers: [], village: null, me: null, query: '', status: 'open', group: '' };

const params = new URLSearchParams(location.search);

function recordTitle(register, record) {
  const name = record.values.head_name || record.values.name || `记录 ${record.id}`;
  const id = record.values.id_number ? ` · ${record.values.id_number}` : '';
  return `${name}${id}`;
}

function recordLine(register, record) {
  const shown = register.columns
    .filter((c) => !['head_name', 'name', 'id_number'].includes(c.code) && record.values[c.code])
    .slice(0, 4)
    .map((c) => `${c.name}：${c.type === 'boolean' ? (record.values[c.code] === 'true' ? '是' : '否') : record.values[c.code]}`);
  return shown.join(' · ');
}

function panel(content) {
  const slot = document.getElementById('record-panel');
  slot.replaceChildren(content);
  slot.hidden = false;
  content.scrollIntoView({ block: 'start' });
  const first = content.querySelector('input, select');
  if (first) first.focus();
}

function closePanel() {
  const slot = document.getElementById('record-panel');
  slot.replaceChildren();
  slot.hidden = true;
}

function recordItem(register, record) {
  const keeper = state.me.role === 'clerk';
  const actions = el('div', { class: 'record-actions' });
  const button = (label, cls, open) => {
    const b = el('button', { type: 'button', class: `link ${cls}` }, label);
    b.addEventListener('click', open);
    actions.append(b);
  };
  const options = { village: state.village, subject: state.me.subject, onSaved: afterWrite, onCancel: closePanel };
  if (keeper && record.status === 'open') {
    button('修改', 'edit-record', () => panel(recordForm(register, record, options)));
    button('注销', 'close-record', () => panel(closeForm(register, record, options)));
  }
  button('完整信息', 'reveal-record', () => panel(revealForm(register, record, { onCancel: closePanel })));
  if (keeper) button('导出本人信息', 'export-record', () => panel(exportForm(register, record, { onCancel: closePanel })));
  button('历史', 'record-history-button', async () => {
    panel(el('section', { class: 'card' }, el('h2', {}, `记录 ${record.id} 的历史`), await historyList(register, record)));
  });
  return el('li', { class: 'record', 'data-record': record.id },
    el('div', { class: 'work-head' }, el('strong', {}, recordTitle(register, record)),
      el('span', { class: `status ${record.status === 'open' ? 'approved' : 'draft'}` }, record.status === 'open' ? '在册' : `已注销 ${record.closed_on}`)),
    el('div', { class: 'muted' }, [record.group, recordLine(register, record)].filter(Boolean).join(' · ')),
    record.close_reason ? el('div', { class: 'muted' }, `注销原因：${record.close_reason}`) : null,
    record.listed_elsewhere.length
      ? el('p', { class: 'error' }, `同一人也在 ${record.listed_elsewhere.map((e) => e.village_name).join('、')} 的台账中`) : null,
    actions);
}

/** After a write (stored, or kept on the phone): the panel closes, the list and what waits show. */
async function afterWrite() {
  closePanel();
  await showWaiting();
  await load().catch(() => offlineNote());
}

function offlineNote() {
  document.getElementById('record-total').textContent = '网络不可用：显示的是上次联网时的名单';
}

/** The writes kept on this phone, waiting for the network (or refused when sent later). */
async function showWaiting() {
  const slot = document.getElementById('record-outbox');
  if (!slot) return;
  const edits = await waiting(state.village);
  slot.hidden = edits.length === 0;
  const pending = edits.filter((e) => !e.refused).length;
  slot.replaceChildren(...[
    el('h2', {}, pending ? `有 ${pending} 项台账修改等待同步` : '未能保存的修改'),
    pending ? el('p', { class: 'muted' }, '已保存在本机，网络恢复后将按顺序自动发送。') : null,
    el('ul', { class: 'list' }, edits.map((e) => {
      const item = el('li', { 'data-outbox': String(e.id) }, el('strong', {}, e.label), ' ',
        e.refused ? el('span', { class: 'status returned' }, '未能保存') : el('span', { class: 'status draft' }, '待同步'));
      if (e.refused) {
        item.append(el('p', { class: 'error' }, e.refused));
        // A refused new record is not lost: it opens again in the form with what was typed.
        if (e.method === 'POST' && !e.path.includes('/close')) {
          const again = el('button', { type: 'button', class: 'link retry-write' }, '改正后重新添加');
          again.addEventListener('click', () => panel(recordForm(state.register, null, {
            village: state.village, subject: state.me.subject, draft: e.body, onCancel: closePanel,
            onSaved: async (saved) => { await discard(e.id); await afterWrite(saved); },
          })));
          item.append(again);
        }
        const drop = el('button', { type: 'button', class: 'link discard-write' }, '放弃这项修改');
        drop.addEventListener('click', async () => { await discard(e.id); await showWaiting(); });
        item.append(drop);
      }
      return item;
    }))].filter(Boolean));
}

/** Sends what waits; when something was stored, the list is read again. */
async function sync() {
  if (!state.village || state.me.role !== 'clerk') return;
  const stored = await flush(state.village);
  await showWaiting();
  if (stored) await load().catch(() => offlineNote());
}

async function load() {
  const register = state.register;
  const query = new URLSearchParams({ village: state.village, status: state.status, limit: '200' });
  if (state.query) query.set('q', state.query);
  if (state.group) query.set('group', state.group);
  const list = await api('GET', `/api/v1/registers/${register.code}/records?${query}`);
  document.getElementById('register-counts').replaceChildren(
    list.counts.length
      ? el('ul', { class: 'list' }, list.counts.map((c) => el('li', { 'data-indicator': c.indicator },
        el('strong', {}, `${c.name}：${c.value} ${c.unit}`), el('span', { class: 'muted' }, `（${c.period} 期，自动填入报表）`))))
      : el('p', { class: 'muted' }, '这个台账目前不为报表提供数据'));
  const groups = document.getElementById('group-filter');
  const chosen = groups.value;
  groups.replaceChildren(el('option', { value: '' }, '全部小组'),
    list.groups.filter((g) => g.group).map((g) => el('option', { value: g.group, selected: g.group === chosen }, `${g.group}（${g.open}）`)));
  document.getElementById('record-total').textContent = `共 ${list.total} 条`;
  document.getElementById('records').replaceChildren(...(list.records.length
    ? list.records.map((r) => recordItem(register, r))
    : [el('li', { class: 'muted' }, state.query ? '没有符合条件的记录' : '台账中还没有记录')]));
}

async function duplicatesCard() {
  const found = await api('GET', `/api/v1/registers/${state.register.code}/duplicates`);
  return el('section', { class: 'card', id: 'duplicates' },
    el('h2', {}, '重复纳入核查'),
    found.length
      ? el('ul', { class: 'list' }, found.map((d) => el('li', {},
        el('strong', {}, `身份证号 ${d.person}`), ' 同时在册于：',
        el('div', { class: 'muted' }, d.listings.map((l) => `${l.village_name}${l.group ? `（${l.group}）` : ''}${l.record ? ` · 记录 ${l.record}` : ''}`).join('；')))))
      : el('p', { class: 'muted' }, '没有发现同一人在两个村同时在册'));
}

/** Open records per village and 村民小组 in the reviewer's township. */
async function groupsCard() {
  const rows = await api('GET', `/api/v1/registers/${state.register.code}/groups`);
  return el('section', { class: 'card', id: 'register-groups' },
    el('h2', {}, '各村、各村民小组在册数'),
    rows.length
      ? scrolling(el('table', { class: 'data-table' },
        el('thead', {}, el('tr', {}, ['村', '村民小组', '在册'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows.map((r) => el('tr', {},
          el('th', { scope: 'row' }, el('a', { href: `/registers?code=${encodeURIComponent(state.register.code)}&village=${r.village}` }, r.village_name)),
          el('td', {}, r.group || '（未分组）'), el('td', {}, String(r.open)))))), '各村在册数')
      : el('p', { class: 'muted' }, '辖区内还没有这个台账的记录'));
}

async function show() {
  const page = document.getElementById('main');
  const register = state.register;
  const keeper = state.me.role === 'clerk';
  const picker = el('select', { id: 'register-picker' }, state.registers.map((r) =>
    el('option', { value: r.code, selected: r.code === register.code }, r.name)));
  picker.addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('code', picker.value);
    location.assign(url);
  });
  const search = el('input', { id: 'record-search', type: 'search', placeholder: '姓名或完整身份证号', value: state.query });
  const status = el('select', { id: 'status-filter' },
    [['open', '在册'], ['closed', '已注销'], ['all', '全部']].map(([v, t]) => el('option', { value: v, selected: v === state.status }, t)));
  const groups = el('select', { id: 'group-filter' }, el('option', { value: '' }, '全部小组'));
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.query = search.value.trim(); load(); }, 250);
  });
  status.addEventListener('change', () => { state.status = status.value; load(); });
  groups.addEventListener('change', () => { state.group = groups.value; load(); });
  const add = el('button', { type: 'button', class: 'primary', id: 'add-record' }, '新增记录');
  add.addEventListener('click', () => panel(recordForm(register, null,
    { village: state.village, subject: state.me.subject, onSaved: afterWrite, onCancel: closePanel })));
  const duplicates = state.me.role === 'reviewer' ? await duplicatesCard() : null;
  page.replaceChildren(...[
    el('div', { class: 'form-head' }, el('h1', {}, state.villageName ? `${state.villageName} · 台账` : '台账'),
      el('label', { class: 'visually-hidden', for: 'register-picker' }, '台账'), picker),
    el('section', { class: 'card', id: 'register-feeds' }, el('h2', {}, '为报表提供的数据'), el('div', { id: 'register-counts' })),
    keeper ? el('section', { class: 'card sync-card', id: 'record-outbox', role: 'status', hidden: true }) : null,
    keeper ? add : null,
    el('div', { id: 'record-panel', hidden: true }),
    el('section', { class: 'card' },
      el('div', { class: 'filters' },
        el('label', { for: 'record-search' }, '查找'), search,
        el('label', { for: 'status-filter' }, '状态'), status,
        el('label', { for: 'group-filter' }, '村民小组'), groups),
      el('p', { class: 'muted', id: 'record-total' }),
      el('ul', { class: 'list', id: 'records' })),
    keeper ? importCard(register, state.village, () => load()) : null,
    duplicates].filter(Boolean));
  await showWaiting();
  await load().catch((e) => { if (e.status === 0) offlineNote(); else throw e; });
  if (keeper) {
    window.addEventListener('online', () => { sync(); });
    setInterval(() => { if (navigator.onLine) sync(); }, 5000);
    await sync();
  }
}

async function main() {
  if (!(await session())) return toLogin();
  const me = await api('GET', '/api/v1/me');
  state.me = me;
  document.getElementById('who').textContent = `${me.region_name || '全国'} · ${ROLES[me.role] || me.role} ${me.subject}`;
  state.registers = await api('GET', '/api/v1/registers');
  state.register = state.registers.find((r) => r.code === params.get('code'))
    || state.registers.find((r) => r.code === 'REG.DIBAO') || state.registers[0];
  state.village = me.role === 'clerk' ? me.region : params.get('village');
  if (!state.village && me.role === 'reviewer') {
    document.getElementById('main').replaceChildren(
      el('h1', {}, '台账重复核查'), el('label', { for: 'register-picker' }, '台账'),
      el('select', { id: 'register-picker' }, state.registers.map((r) => el('option', { value: r.code, selected: r === state.register }, r.name))),
      await duplicatesCard(), await groupsCard());
    document.getElementById('register-picker').addEventListener('change', async (e) => {
      state.register = state.registers.find((r) => r.code === e.target.value);
      document.getElementById('duplicates').replaceWith(await duplicatesCard());
      document.getElementById('register-groups').replaceWith(await groupsCard());
    });
    return;
  }
  if (!state.village) throw new Error('台账由村里的填报员维护；请从村的报表进入');
  const village = await api('GET', `/api/v1/regions/${state.village}`).catch(() => null);
  state.villageName = village ? village.name.replace(/村民委员会$|居民委员会$/, '') : '';
  await show();
}

runPage(main);
