// What to do with an analyzed form: an admin confirms the mappings (the registry learns the
// column names as aliases); a department turns it into a draft data request (the new columns
// become proposals for an admin) and saves it as a report template to get it back filled.

import { api, el } from './api.js';
import { requestForm } from './request_form.js';

/** The columns as the department settled them. */
function settled(analysis, choices) {
  return analysis.columns.map((c) => ({ column: c.column, header: c.header, name: c.name, unit: c.unit, decimals: c.decimals, code: choices.get(c.column) || null }));
}

function say(box, text, error = false) {
  box.replaceChildren(el('p', { class: error ? 'error' : 'saved-note' }, text));
}

function failure(box, e) {
  say(box, [e.message, ...e.details.map((d) => d.message)].join('；'), true);
}

function confirmCard(analysis, choices, reanalyze) {
  const out = el('div', { id: 'confirm-result', role: 'status' });
  const button = el('button', { type: 'button', class: 'primary', id: 'confirm-mappings' }, '确认映射');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const mappings = settled(analysis, choices).filter((c) => c.code).map((c) => ({ name: c.name, code: c.code }));
      const report = await api('POST', '/api/v1/forms/confirm', { mappings, form_title: analysis.title });
      const added = Object.entries(report.added).map(([code, names]) => `${code}：${names.join('、')}`);
      // The form is analyzed again at once, to show what the registry learned.
      await reanalyze(added.length ? `指标库已记住 ${added.length} 个指标的新别名（${added.join('；')}），${report.already_known} 列本来就能准确对应。`
        : `全部 ${report.already_known} 列本来就能准确对应，没有新别名。`);
    } catch (e) {
      failure(out, e);
    } finally {
      button.disabled = false;
    }
  });
  return el('section', { class: 'card', id: 'confirm-card' }, el('h2', {}, '确认映射'),
    el('p', { class: 'muted' }, '确认后，这些列名成为对应指标的别名（指标新版本），下一张写法相同的报表将准确对应。'), button, out);
}

function draftCard(analysis, choices, state, reloadProposals) {
  const out = el('div', { id: 'draft-result' });
  const button = el('button', { type: 'button', class: 'primary', id: 'make-draft' }, '生成数据需求');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const draft = await api('POST', '/api/v1/forms/draft-request', { form_title: analysis.title, columns: settled(analysis, choices) });
      const indicators = draft.indicators.map((code) => state.indicators.get(code) || { code, name: code });
      const proposals = draft.proposals.length
        ? el('p', { class: 'withheld', id: 'draft-proposals' }, `${draft.proposals.length} 项新指标已提交管理员：${draft.proposals.map((p) => p.name).join('、')}`) : null;
      // The draft is for the department's own region: its name is the one the page already has.
      const regionName = draft.region === state.me.region ? state.me.region_name : undefined;
      out.replaceChildren(proposals || '', requestForm(state.me, (filed) => {
        say(out, `数据需求 #${filed.id} 已提交，等待管理员审核。批准后可在“我的报表模板”下载填好的原表。`);
      }, { title: draft.title, region: draft.region, region_name: regionName, indicators }));
      if (draft.proposals.length) await reloadProposals();
    } catch (e) {
      failure(out, e);
    } finally {
      button.disabled = false;
    }
  });
  return el('section', { class: 'card', id: 'draft-card' }, el('h2', {}, '从报表到数据需求'),
    el('p', { class: 'muted' }, '已有的指标生成一份数据需求草稿（请补充用途、依据和期别）；指标库没有的列作为新指标建议提交管理员。'), button, out);
}

function templateCard(analysis, choices, reload) {
  const name = el('input', { id: 'tpl-name', type: 'text', maxlength: '200', value: analysis.title || analysis.file_name || '' });
  const rows = el('select', { id: 'tpl-rows' }, el('option', { value: 'village' }, '每村一行'), el('option', { value: 'township' }, '每乡镇一行'));
  const out = el('div', { id: 'tpl-result', role: 'status' });
  const button = el('button', { type: 'button', id: 'tpl-save' }, '保存为报表模板');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const saved = await api('POST', '/api/v1/report-templates', {
        name: name.value, rows: rows.value, title_rows: analysis.title_rows, note_rows: analysis.note_rows,
        header_cells: analysis.header_cells, header_merges: analysis.header_merges,
        label_columns: analysis.label_columns.map((l) => ({ column: l.column, kind: l.kind })),
        columns: settled(analysis, choices).map((c) => ({ column: c.column, header: c.header, code: c.code, unit: c.unit, decimals: c.decimals })),
      });
      say(out, `模板“${saved.name}”已保存：数据需求批准后，每期都可下载填好的原表。`);
      await reload();
    } catch (e) {
      failure(out, e);
    } finally {
      button.disabled = false;
    }
  });
  return el('section', { class: 'card', id: 'template-card' }, el('h2', {}, '原表自动填报'),
    el('p', { class: 'muted' }, '保存本表的表头、列序、单位和行（村或乡镇）：批准后由指标库自动填好，无需村里再填。'),
    el('div', { class: 'controls three' }, el('div', { class: 'control' }, el('label', { for: 'tpl-name' }, '模板名称'), name),
      el('div', { class: 'control' }, el('label', { for: 'tpl-rows' }, '行'), rows)), button, out);
}

/** The cards for the actor's role. */
export function actions(analysis, choices, state, { reanalyze, reloadTemplates, reloadProposals }) {
  if (state.me.role === 'admin') return [confirmCard(analysis, choices, reanalyze)];
  return [draftCard(analysis, choices, state, reloadProposals), templateCard(analysis, choices, reloadTemplates)];
}
