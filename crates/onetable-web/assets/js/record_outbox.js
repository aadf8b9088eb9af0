// Record writes (台账: add, change, close) through the same outbox as the form's values: kept in
// the browser before they are sent, each with its own Idempotency-Key, and removed only when the
// server has answered — so a clerk on a phone may keep the list with the network cut, and an
// edit whose answer was lost, sent again, is applied once.

import { api } from './api.js';
import * as outbox from './outbox.js';
import { signInAgain } from './relogin.js';

/** Answers that settle a write; any other (no network, a server fault) keeps it to send again. */
const FINAL = [400, 403, 404, 409, 412, 422, 428];

/** Whether an answer settles the write: a send of the same key still running at the server
 * (`request_in_progress`) does not — its answer is had by sending again. */
function settles(e) {
  return FINAL.includes(e.status) && e.code !== 'request_in_progress';
}

/** Writes being sent now, by outbox id: a flush never sends one twice at the same moment. */
const sending = new Set();

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

async function send(edit) {
  try {
    return await api(edit.method, edit.path, edit.body, edit.headers);
  } catch (e) {
    if (e.status !== 401) throw e;
    await signInAgain(edit.subject);
    return api(edit.method, edit.path, edit.body, edit.headers);
  }
}

/**
 * Sends one record write: resolves to the server's record, or to null when it waits in the
 * outbox for the network; rejects with the server's refusal (nothing kept).
 */
export async function write({ village, subject, label, method, path, body, headers = {} }) {
  const edit = { kind: 'record', region: village, subject, label, method, path, body, headers: { ...headers, 'idempotency-key': newKey() } };
  const id = await outbox.keep(edit).catch(() => null);
  if (id !== null) sending.add(id);
  try {
    const saved = await send(edit);
    if (id !== null) await outbox.forget(id).catch(() => {});
    return saved;
  } catch (e) {
    if (!settles(e)) return null;
    if (id !== null) await outbox.forget(id).catch(() => {});
    throw e;
  } finally {
    sending.delete(id);
  }
}

/** The village's writes waiting, oldest first; a refused one carries `refused` (its message). */
export function waiting(village) {
  return outbox.records(village).catch(() => []);
}

/** Drops a refused write the clerk has read. */
export function discard(id) {
  return outbox.forget(id).catch(() => {});
}

/**
 * Sends what waits, in the order it was made; stops at the first that still finds no network.
 * A refusal (the record changed meanwhile, a value refused) stays listed with its message until
 * the clerk discards it. Resolves to how many were stored.
 */
let flushing = null;
export function flush(village) {
  if (flushing) return flushing;
  flushing = (async () => {
    let stored = 0;
    for (const edit of await waiting(village)) {
      if (edit.refused || sending.has(edit.id)) continue;
      sending.add(edit.id);
      try {
        await send(edit);
        await outbox.forget(edit.id).catch(() => {});
        stored += 1;
      } catch (e) {
        if (!settles(e)) break;
        const why = [e.message, ...e.details.map((d) => d.message)].join('；');
        await outbox.update({ ...edit, refused: why }).catch(() => {});
      } finally {
        sending.delete(edit.id);
      }
    }
    return stored;
  })().finally(() => { flushing = null; });
  return flushing;
}
