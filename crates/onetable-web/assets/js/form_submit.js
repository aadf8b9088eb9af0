// Submitting the form (提交): blank fields asked about first, a refusal listed with a link to
// each field and the explanations a warning rule needs asked in place, and a word when it is done.

import { el } from './api.js';
import { codesOf } from './fields.js';
import { announce, enqueue, showEntry, state } from './form_state.js';
import { call } from './form_save.js';

/** The reasons a submit was refused, each linked to its field; explanations asked in place. */
function showRefusal(error, explanations) {
  const box = document.getElementById('submit-problems');
  box.replaceChildren(el('p', { class: 'error' }, error.message));
  const list = el('ul', { class: 'problems' });
  for (const d of error.details) {
    const rule = state.rules.find((r) => r.code === d.field);
    const code = rule ? codesOf(rule.expression).find((c) => state.fields.has(c)) : d.field;
    // A rule's own message: the API's adds how to explain over the API.
    const link = el('a', { href: `#f-${code}` }, rule ? rule.message : d.message);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      const f = state.fields.get(code);
      if (f) { f.row.scrollIntoView({ block: 'center' }); f.control.focus(); }
    });
    const item = el('li', { 'data-problem': d.code, 'data-field': d.field }, link);
    if (d.code === 'explanation_required') {
      const id = `why-${d.field}`;
      const why = el('textarea', { id, rows: '2', maxlength: '500' });
      // After a return, what was said last time, to keep or change.
      if (explanations[d.field] === undefined && state.explanations[d.field]) explanations[d.field] = state.explanations[d.field];
      why.value = explanations[d.field] || '';
      why.addEventListener('input', () => { explanations[d.field] = why.value; });
      item.append(el('label', { for: id }, `说明原因（${rule ? rule.name : d.field}）`), why);
    }
    list.append(item);
  }
  box.append(list);
  box.hidden = false;
  box.scrollIntoView({ block: 'start' });
}

/** The fields left blank (derived ones aside), in the form's order. */
function blankFields() {
  return [...state.fields.values()].filter((f) => !f.derived && f.control.value.trim() === '');
}

/**
 * Before a submit with blank fields: they are listed, each a link to its field, and the clerk
 * decides (blank may be right: a village with no such thing).
 */
function askAboutBlanks(blanks, go) {
  document.getElementById('blank-check')?.remove();
  const back = el('button', { type: 'button', id: 'blank-back' }, '返回填写');
  const anyway = el('button', { type: 'button', class: 'primary', id: 'blank-submit' }, '确认无误，提交');
  const panel = el('div', { class: 'confirm-panel', id: 'blank-check', role: 'dialog', 'aria-label': '有未填写的项目' },
    el('p', {}, `还有 ${blanks.length} 项没有填写。空着也可能是对的（如本村没有此项），请确认：`),
    el('ul', { class: 'copy-list' }, blanks.map((f) => {
      const link = el('a', { href: `#f-${f.field.code}` }, f.field.name);
      link.addEventListener('click', (event) => {
        event.preventDefault();
        panel.remove();
        f.row.scrollIntoView({ block: 'center' });
        f.control.focus();
      });
      return el('li', {}, link);
    })),
    el('div', { class: 'panel-buttons' }, back, anyway));
  back.addEventListener('click', () => {
    panel.remove();
    blanks[0].row.scrollIntoView({ block: 'center' });
    blanks[0].control.focus();
  });
  anyway.addEventListener('click', () => { panel.remove(); go(); });
  document.getElementById('submit').before(panel);
  panel.scrollIntoView({ block: 'center' });
}

export function submitButton() {
  const explanations = {};
  const button = el('button', { type: 'button', id: 'submit', class: 'primary' }, '提交');
  const go = () => {
    button.disabled = true;
    enqueue(async () => {
      try {
        const answer = await call('POST', `/api/v1/entries/${state.region}/${state.period}/submit`,
          // The clerk's words on flagged values (outlier:CODE) go with the rules' explanations.
          { explanations: { ...state.flagNotes, ...explanations } }, () => ({ 'if-match': `"${state.revision}"` }));
        document.getElementById('submit-problems').hidden = true;
        showEntry(answer);
        announce('已提交，等待乡镇审核。审核通过或退回时，首页的待办会显示结果。', [el('a', { href: '/', id: 'back-home' }, '返回首页')]);
      } catch (e) {
        if (e.status === 422 && e.code === 'submission_refused') showRefusal(e, explanations);
        else document.getElementById('submit-problems').replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
        document.getElementById('submit-problems').hidden = false;
      } finally {
        button.disabled = false;
      }
    });
  };
  button.addEventListener('click', () => {
    const blanks = blankFields();
    if (blanks.length) askAboutBlanks(blanks, go); else go();
  });
  return button;
}
