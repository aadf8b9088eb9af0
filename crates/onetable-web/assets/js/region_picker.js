// A region chosen by its name (吴家坪村, 敬南镇, 兴义市) instead of a 12-digit code: the name is
// searched within the person's own scope (GET /api/v1/regions?q=), each match shown with its
// place above it and its code; a code typed as it is is taken as it is.

import { api, el } from './api.js';

/**
 * `{ control, code() }`: the search box with its suggestions (for a `.control` row labelled by
 * `id`), and the code chosen — or typed — now.
 */
export function regionPicker({ id, within, initial = null, placeholder = '输入地区名称，如 敬南镇' }) {
  let chosen = initial ? initial.code : '';
  const search = el('input', { id, type: 'search', autocomplete: 'off', placeholder, value: initial ? initial.name : '' });
  const picked = el('p', { class: 'muted hint', id: `${id}-picked` }, initial ? `已选：${initial.name}（${initial.code}）` : '');
  const found = el('ul', { class: 'suggestions', id: `${id}-suggestions` });
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    const q = search.value.trim();
    // A code is taken as typed: the server says whether it exists.
    chosen = /^\d{2,12}$/.test(q) ? q : '';
    picked.textContent = chosen ? `代码：${chosen}` : '';
    timer = setTimeout(async () => {
      if (!q || /^\d+$/.test(q)) { found.replaceChildren(); return; }
      const params = new URLSearchParams({ q, limit: '8' });
      if (within) params.set('within', within);
      let page;
      try {
        page = await api('GET', `/api/v1/regions?${params}`);
      } catch (e) {
        found.replaceChildren(el('li', { class: 'error' }, e.message));
        return;
      }
      const names = await placeNames(page.items);
      found.replaceChildren(...(page.items.length ? page.items.map((r) => {
        const place = names(r);
        const button = el('button', { type: 'button', class: 'suggestion', 'data-code': r.code },
          `${r.name}${place ? ` · ${place}` : ''}（${r.code}）`);
        button.addEventListener('click', () => {
          chosen = r.code;
          search.value = r.name;
          picked.textContent = `已选：${r.name}${place ? `（${place}）` : ''} · ${r.code}`;
          found.replaceChildren();
        });
        return el('li', {}, button);
      }) : [el('li', { class: 'muted' }, '没有找到这个名称的地区')]));
    }, 200);
  });
  const set = (code, name) => {
    chosen = code;
    search.value = name;
    picked.textContent = `已选：${name}（${code}）`;
  };
  return { control: el('div', {}, search, found, picked), code: () => chosen || search.value.trim(), set };
}

/** The names of the regions above each match (its county and township), read once per parent. */
async function placeNames(regions) {
  const parents = new Map();
  const wanted = [...new Set(regions.flatMap((r) => [r.parent_code, r.parent_code && ancestor(r.parent_code)]).filter(Boolean))];
  await Promise.all(wanted.map(async (code) => {
    try {
      parents.set(code, (await api('GET', `/api/v1/regions/${code}`)).name);
    } catch {
      // A parent out of sight names nothing.
    }
  }));
  return (r) => [r.parent_code && ancestor(r.parent_code), r.parent_code].filter((c) => c && parents.has(c)).map((c) => parents.get(c)).join(' ');
}

/** The parent of a township (its county) or of a county (its prefecture). */
function ancestor(code) {
  const c = code.padEnd(12, '0');
  if (c.slice(9) !== '000') return `${c.slice(0, 9)}000`;
  if (c.slice(6, 9) !== '000') return `${c.slice(0, 6)}000000`;
  if (c.slice(4, 6) !== '00') return `${c.slice(0, 4)}00000000`;
  return null;
}
