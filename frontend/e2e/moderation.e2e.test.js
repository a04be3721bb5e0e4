// Moderation in real Chromium against the real server, with two real users:
// a timeout closes the member's composer at once, slow mode paces them, a
// rename reaches them live, the audit log tells the story, a kick takes the
// room off their screen, bans are listed and lifted, and a room is deleted
// only with its name.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, startServer, uniq, until } from './harness.js';
import { openWorkspace, roomWithTwo, scriptErrors, submitDialog } from './workspace-helpers.js';

/** @typedef {import('playwright-core').Page} Page */

describe('moderation', () => {
  /** @type {Awaited<ReturnType<typeof startServer>>} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {Page} */
  let alice;
  /** @type {Page} */
  let bob;
  /** @type {string[][]} */
  const errorLists = [];
  /** @type {Awaited<ReturnType<typeof roomWithTwo>>} */
  let setup;

  before(async () => {
    server = await startServer();
    setup = await roomWithTwo(server.api, uniq('alice'), uniq('bob'));
    browser = await launchBrowser();
    const hash = `#/r/${setup.room.slug}/${setup.general.id}`;
    alice = await openWorkspace(browser, server.url, setup.a, hash, errorLists, 'alice');
    bob = await openWorkspace(browser, server.url, setup.b, hash, errorLists, 'bob');
    await alice.waitForSelector('.text-view[data-connection="open"]');
    await bob.waitForSelector('.text-view[data-connection="open"]');
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  /** @param {Page} page @param {string} label */
  async function roomMenu(page, label) {
    await page.click('#btn-room-menu');
    await page.locator(`#dialog .menu-item:text-is("${label}")`).click();
  }

  it('a timed-out member’s composer closes at once and opens again when the timeout is lifted', async () => {
    assert.equal(await bob.locator('.member-moderate').count(), 0, 'members moderate no one');
    await alice.click('[aria-label="Moderate Bob"]');
    await submitDialog(alice, { action: 'timeout', duration: '10 minutes' });
    await bob.waitForSelector('.composer-input:disabled');
    assert.match((await bob.textContent('.composer-note')) ?? '', /You are timed out until/);
    await alice.waitForSelector('#member-list li.member:has-text("Bob") .timed-out');

    await alice.click('[aria-label="Moderate Bob"]');
    await submitDialog(alice, { action: 'untimeout' });
    await bob.waitForSelector('.composer-input:enabled');
    await bob.fill('.composer-input', 'back again');
    await bob.press('.composer-input', 'Enter');
    await alice.waitForSelector('.message-list:not(.pending-list) .msg-body:has-text("back again")');
  });

  it('slow mode set from the room menu paces the member and spares the owner', async () => {
    await roomMenu(alice, 'Slow mode in #general');
    await submitDialog(alice, { seconds: '30 s' });
    await bob.waitForSelector('.composer-note:text-is("Slow mode is on: one message every 30 s.")');
    await alice.waitForSelector('.composer-note:has-text("does not apply to you")');
    await bob.fill('.composer-input', 'slowly');
    await bob.press('.composer-input', 'Enter');
    await bob.waitForSelector('.composer-note:has-text("you can send again in")');
    assert.equal(await bob.isDisabled('.send-btn'), true);
    await alice.waitForSelector('.message-list:not(.pending-list) .msg-body:has-text("slowly")');
    // The server holds the line too: a message sent past the client is refused with the wait.
    const refused = await bob.evaluate(async ([token, channelId]) => {
      const form = new FormData();
      form.set('channel_id', String(channelId));
      form.set('content', 'sneaky');
      const res = await fetch('/api/messages', { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
      return { status: res.status, retry: res.headers.get('Retry-After') };
    }, /** @type {[string, number]} */ ([setup.b, setup.general.id]));
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.retry) >= 1 && Number(refused.retry) <= 30, `Retry-After ${refused.retry}`);
    await roomMenu(alice, 'Slow mode in #general');
    await submitDialog(alice, { seconds: 'Off' });
    await bob.waitForSelector('.composer-note', { state: 'hidden' });
  });

  it('renaming the room reaches the other member live', async () => {
    await roomMenu(alice, 'Rename the room');
    await submitDialog(alice, { title: 'Mad Tea Party' });
    await bob.waitForSelector('#room-title:text-is("Mad Tea Party")');
    await bob.waitForSelector('.room-btn[aria-label="Mad Tea Party"]', { state: 'attached' });
  });

  it('the audit log tells who changed what, newest first', async () => {
    await roomMenu(alice, 'Audit log');
    const entries = alice.locator('#dialog .audit-entry');
    await entries.first().waitFor();
    const texts = await entries.allTextContents();
    assert.match(texts[0], /renamed the room “Tea Party” → “Mad Tea Party”/);
    assert.ok(texts.some((t) => /set slow mode in 30 s/.test(t)), texts.join('\n'));
    assert.ok(texts.some((t) => /timed out Bob/.test(t)), texts.join('\n'));
    assert.ok(texts.some((t) => /created the room/.test(t)), texts.join('\n'));
    await alice.keyboard.press('Escape');
  });

  it('a kicked member’s client leaves the room live, and a ban is listed until lifted', async () => {
    await alice.click('[aria-label="Moderate Bob"]');
    await submitDialog(alice, { action: 'kick' });
    await bob.locator('.toast:has-text("You were removed from Mad Tea Party")').waitFor();
    await bob.waitForSelector('.room-btn[aria-label="Mad Tea Party"]', { state: 'detached' });
    await bob.waitForSelector('.empty-view');
    await until(async () => (await alice.locator('#member-list li.member').count()) === 1, { what: 'Bob gone from the member list' });

    const bobId = (await server.api.call('/api/profile/me', { token: setup.b })).id;
    await server.api.call(`/api/rooms/${setup.room.slug}/bans/${bobId}`, { token: setup.a, method: 'PUT', body: { reason: 'rude' } });
    await roomMenu(alice, 'Bans');
    const row = alice.locator('#dialog .ban:has-text("Bob")');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /rude/);
    await row.locator('button:text-is("Lift ban")').click();
    await alice.locator('#dialog li:text-is("Nobody is banned.")').waitFor();
    await alice.keyboard.press('Escape');
  });

  it('a room is deleted only by typing its name, and leaves the owner’s screen', async () => {
    await roomMenu(alice, 'Delete the room');
    const dialog = alice.locator('#dialog');
    await dialog.locator('[name="confirm"]').fill('Tea Party');
    await dialog.locator('button[type="submit"]').click();
    await dialog.locator('.form-error:has-text("exactly")').waitFor();
    await dialog.locator('[name="confirm"]').fill('Mad Tea Party');
    await dialog.locator('button[type="submit"]').click();
    await alice.locator('.toast:has-text("This room was deleted: Mad Tea Party")').waitFor();
    await alice.waitForSelector('.room-btn[aria-label="Mad Tea Party"]', { state: 'detached' });
    const rooms = await server.api.call('/api/rooms', { token: setup.a });
    assert.deepEqual(rooms, []);
  });

  it('had no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
