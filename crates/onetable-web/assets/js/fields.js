// One field of the form: its input for the indicator's value type, and the checks a clerk sees
// before the server answers (the server checks again; its answer wins).

/** The value type as the registry writes it: integer, decimal(4), boolean, enum:A|B, text(500), date. */
export function parseType(text) {
  let m;
  if (text === 'integer') return { kind: 'integer' };
  if ((m = /^decimal(?:\((\d+)\))?$/.exec(text))) return { kind: 'decimal', scale: m[1] === undefined ? 2 : Number(m[1]) };
  if (text === 'boolean') return { kind: 'boolean' };
  if ((m = /^enum:(.*)$/.exec(text))) return { kind: 'enum', options: m[1].split('|') };
  if ((m = /^text(?:\((\d+)\))?$/.exec(text))) return { kind: 'text', max: m[1] === undefined ? 500 : Number(m[1]) };
  if (text === 'date') return { kind: 'date' };
  return { kind: 'text', max: 500 };
}

/** The text an input shows for a stored JSON value. */
export function display(type, value) {
  if (value === null || value === undefined) return '';
  if (type.kind === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

/** A stored value in words, for a person: 是/否 for yes/no. */
export function words(type, value) {
  if (value === null || value === undefined) return '—';
  if (type.kind === 'boolean') return value ? '是' : '否';
  return String(value);
}

/** What the clerk typed, checked: `{ value }` to send (null clears), or `{ error }` in Chinese. */
export function check(field, type, text) {
  const raw = text.trim();
  if (raw === '') return { value: null };
  const range = (n) => {
    if (field.min !== null && field.min !== undefined && n < field.min) return `不能小于 ${field.min}`;
    if (field.max !== null && field.max !== undefined && n > field.max) return `不能大于 ${field.max}`;
    return null;
  };
  switch (type.kind) {
    case 'integer': {
      if (!/^-?\d+$/.test(raw)) return { error: '应为整数' };
      const n = Number(raw);
      const bad = range(n);
      return bad ? { error: bad } : { value: n };
    }
    case 'decimal': {
      if (!/^-?\d+(\.\d+)?$/.test(raw)) return { error: '应为数字' };
      const decimals = (raw.split('.')[1] || '').length;
      if (decimals > type.scale) return { error: `最多 ${type.scale} 位小数` };
      const n = Number(raw);
      const bad = range(n);
      return bad ? { error: bad } : { value: n };
    }
    case 'boolean':
      return { value: raw === 'true' };
    case 'enum':
      return type.options.includes(raw) ? { value: raw } : { error: `应为 ${type.options.join('、')} 之一` };
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(raw) ? { value: raw } : { error: '应为日期（如 2025-06-30）' };
    default:
      return [...raw].length > type.max ? { error: `不能超过 ${type.max} 个字` } : { value: raw };
  }
}

/** The input element for a field (its id is `f-` and the code). */
export function input(el, field, type) {
  const id = `f-${field.code}`;
  const common = { id, name: field.code, 'aria-describedby': `${id}-note` };
  if (type.kind === 'boolean') {
    return el('select', common, el('option', { value: '' }, '（未填）'), el('option', { value: 'true' }, '是'), el('option', { value: 'false' }, '否'));
  }
  if (type.kind === 'enum') {
    return el('select', common, el('option', { value: '' }, '（未填）'), type.options.map((o) => el('option', { value: o }, o)));
  }
  if (type.kind === 'date') return el('input', { ...common, type: 'date' });
  if (type.kind === 'integer') return el('input', { ...common, inputmode: 'numeric', autocomplete: 'off' });
  if (type.kind === 'decimal') return el('input', { ...common, inputmode: 'decimal', autocomplete: 'off' });
  return el('input', { ...common, autocomplete: 'off' });
}

/** The indicator codes a rule's expression names. */
export function codesOf(expression) {
  return expression.match(/[A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+/g) || [];
}
