// 批量导入账户: the county's staff sheet — the template, a dry run showing each row's outcome at
// its columns, the real import (only when no row is refused), and the one-time initial passwords,
// shown once and saved by the admin as a sheet to hand out.

import { api, downloadFile, el, scrolling } from './api.js';
import { ROLES } from './labels.js';

const OUTCOMES = { created: '将创建', unchanged: '已存在，不变', refused: '不能导入' };

function rowsTable(report) {
  const head = el('tr', {}, ['行', '用户名', '姓名', '角色', '所辖地区', '结果'].map((h) => el('th', { scope: 'col' }, h)));
  const body = report.rows.map((r) => el('tr', { class: r.outcome === 'refused' ? 'refused' : '' },
    el('td', {}, String(r.row)), el('td', {}, r.username || ''), el('td', {}, r.display_name || ''),
    el('td', {}, ROLES[r.role] || r.role || ''), el('td', {}, r.region_name || r.region || ''),
    el('td', {}, r.outcome === 'refused'
      ? r.problems.map((p) => el('span', { class: 'error', 'data-field': p.field }, `${p.column}：${p.message}`))
      : (report.dry_run ? OUTCOMES[r.outcome] : { created: '已创建', unchanged: '已存在，不变' }[r.outcome]))));
  return scrolling(el('table', { class: 'data-table import-rows' }, el('thead', {}, head), el('tbody', {}, body)), '名单检查结果');
}

/** The initial passwords as a CSV Excel opens (UTF-8 with BOM), made in the page: the server keeps none. */
function passwordsCsv(passwords) {
  const quote = (v) => `"${String(v ?? '').replaceAll('"', '""')}"`;
  const lines = [['用户名', '姓名', '角色', '所辖地区', '区划代码', '初始密码（首次登录须修改）']]
    .concat(passwords.map((p) => [p.username, p.display_name, ROLES[p.role] || p.role, p.region_name, p.region, p.password]));
  return new Blob([`\ufeff${lines.map((l) => l.map(quote).join(',')).join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' });
}

function passwordsCard(report) {
  const save = el('button', { type: 'button', class: 'primary', id: 'save-passwords' }, '下载初始密码表');
  save.addEventListener('click', () => {
    const url = URL.createObjectURL(passwordsCsv(report.initial_passwords));
    const link = el('a', { href: url, download: `初始密码-${new Date().toISOString().slice(0, 10)}.csv`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  const list = el('table', { class: 'data-table' }, el('thead', {}, el('tr', {}, ['用户名', '姓名', '所辖地区', '初始密码'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, report.initial_passwords.map((p) => el('tr', {}, el('td', {}, p.username), el('td', {}, p.display_name),
      el('td', {}, p.region_name || p.region || ''), el('td', { class: 'password' }, p.password)))));
  return el('div', { class: 'saved-note', id: 'initial-passwords' },
    el('p', {}, `已创建 ${report.created} 个账户。初始密码只显示这一次，请立即下载保存并分发给本人；本人首次登录时必须修改。`),
    save, scrolling(list, '初始密码'));
}

/** The card; `refresh` redraws the list of accounts after an import. */
export function importCard(refresh) {
  const file = el('input', { type: 'file', id: 'import-file', accept: '.xlsx,.csv' });
  const check = el('button', { type: 'button', id: 'import-check' }, '检查名单（不导入）');
  const run = el('button', { type: 'button', class: 'primary', id: 'import-run', disabled: true }, '导入');
  const template = el('button', { type: 'button', class: 'link', id: 'import-template' }, '下载名单模板');
  const message = el('p', { class: 'error', role: 'alert', hidden: true });
  const result = el('div', { id: 'import-result', 'aria-live': 'polite' });
  const send = async (dryRun) => {
    const form = new FormData();
    form.append('file', file.files[0]);
    return api('POST', `/api/v1/users/import${dryRun ? '?dry_run=true' : ''}`, form);
  };
  template.addEventListener('click', () => downloadFile('/api/v1/users/import/template', message));
  file.addEventListener('change', () => { run.disabled = true; result.replaceChildren(); });
  check.addEventListener('click', async () => {
    message.hidden = true;
    run.disabled = true;
    if (!file.files.length) {
      message.textContent = '请先选择名单文件（XLSX 或 CSV）';
      message.hidden = false;
      return;
    }
    check.disabled = true;
    try {
      const report = await send(true);
      const summary = `共 ${report.total} 行：将创建 ${report.created}，已存在不变 ${report.unchanged}，不能导入 ${report.refused}`;
      result.replaceChildren(el('p', { class: report.refused ? 'error' : 'muted', id: 'import-summary' },
        report.refused ? `${summary}。请按提示修改名单后重新检查。` : summary), rowsTable(report));
      run.disabled = report.refused > 0 || report.created === 0;
    } catch (e) {
      message.textContent = e.details.length ? `${e.message}：${e.details.map((d) => d.message).join('；')}` : e.message;
      message.hidden = false;
    } finally {
      check.disabled = false;
    }
  });
  run.addEventListener('click', async () => {
    run.disabled = true;
    message.hidden = true;
    try {
      const report = await send(false);
      result.replaceChildren(passwordsCard(report), rowsTable(report));
      await refresh();
    } catch (e) {
      message.textContent = e.details.length ? `${e.message}：${e.details.map((d) => d.message).join('；')}` : e.message;
      message.hidden = false;
    }
  });
  return el('section', { class: 'card', id: 'user-import' }, el('h2', {}, '批量导入账户'),
    el('p', { class: 'muted' }, '上传县里的人员名单（每行一人：用户名、姓名、角色、所辖地区、部门、电话）。先检查，没有问题再导入；全部导入或全部不导入。'),
    el('p', {}, template),
    el('label', { for: 'import-file' }, '名单文件（XLSX 或 CSV）'), file,
    el('div', { class: 'panel-buttons' }, check, run), message, result);
}
