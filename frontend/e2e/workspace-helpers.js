// Shared steps for the workspace browser tests: open the workspace as a
// user, fill and submit a dialog, set up a room through the API.

import { watchPage } from './harness.js';

/** @typedef {import('playwright-core').Page} Page */

/** @param {Page} page */
export const ready = (page) => page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });

/**
 * A page signed in with `token`, on the workspace at `hash`.
 * @param {import('playwright-core').Browser} browser
 * @param {string} base
 * @param {string} token
 * @param {string} hash
 * @param {string[][]} errorLists
 * @param {string} name
 */
export async function openWorkspace(browser, base, token, hash, errorLists, name) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await ctx.addInitScript((t) => localStorage.setItem('charge.token', t), token);
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await ctx.newPage();
  errorLists.push(watchPage(page, name));
  await page.goto(`${base}/workspace.html${hash}`);
  await ready(page);
  return page;
}

/**
 * Fills the open dialog and submits it; waits for it to close unless the
 * dialog shows a result instead.
 * @param {Page} page
 * @param {Record<string, string>} values
 * @param {{ result?: boolean }} [options]
 */
export async function submitDialog(page, values, options = {}) {
  const dialog = page.locator('#dialog');
  await dialog.waitFor({ state: 'visible' });
  for (const [name, value] of Object.entries(values)) {
    const field = dialog.locator(`[name="${name}"]`);
    const tag = await field.first().evaluate((el) => `${el.tagName}:${el.getAttribute('type') ?? ''}`);
    if (tag === 'INPUT:radio') await dialog.locator(`input[name="${name}"][value="${value}"]`).check();
    else if (tag.startsWith('SELECT')) await field.selectOption({ label: value });
    else await field.fill(value);
  }
  await dialog.locator('button[type="submit"]').click();
  if (!options.result) await dialog.waitFor({ state: 'hidden' });
}

/**
 * An owner and a member in a fresh room with a text channel, set up through the API.
 * @param {import('./harness.js').Api} api
 * @param {string} owner
 * @param {string} member
 */
export async function roomWithTwo(api, owner, member) {
  const password = 'correct horse battery';
  const a = await api.account(owner, password, 'Alice Liddell');
  const b = await api.account(member, password, 'Bob');
  const room = await api.call('/api/rooms', { token: a, body: { title: 'Tea Party' } });
  const general = await api.call(`/api/rooms/${room.slug}/channels`, { token: a, body: { name: 'general', type: 'text' } });
  const invitation = await api.call(`/api/rooms/${room.slug}/invitations`, { token: a, body: { role: 'member' } });
  await api.call(`/api/invites/${invitation.code}`, { token: b, method: 'POST' });
  return { a, b, room, general };
}

/** Script errors other than expected connection noise. @param {string[][]} errorLists */
export function scriptErrors(errorLists) {
  return errorLists.flat().filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource|net::/.test(e));
}
