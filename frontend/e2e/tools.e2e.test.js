// A text channel's tools in real Chromium against the real server: pinned
// messages, threads, search with jump-to-message.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, launchBrowser, startServer, uniq, until } from './harness.js';
import { openWorkspace, roomWithTwo, scriptErrors, submitDialog } from './workspace-helpers.js';

/** @typedef {import('playwright-core').Page} Page */

/** @param {Page} page @param {string} text */
const messageWith = (page, text) => page.locator('.message-list:not(.pending-list) > li.msg', { has: page.locator('.msg-body', { hasText: text }) });

describe('pins, threads and search', () => {
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
    // Enough history that the oldest messages are not on the first page.
    await server.api.post(setup.a, setup.general.id, 'The very first message: meeting notes live here');
    for (let i = 1; i <= 120; i += 1) await server.api.post(i % 2 ? setup.a : setup.b, setup.general.id, `filler ${i}`);
    await server.api.post(setup.a, setup.general.id, 'Lunch plan: noodles at noon');
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

  it('pins a message with a note; members see it in the pins panel and jump to it', async () => {
    const lunch = messageWith(alice, 'Lunch plan');
    await lunch.hover();
    await lunch.locator('button[title="Pin"]').click();
    await submitDialog(alice, { note: 'Friday only' });
    await lunch.locator('.pinned-mark').waitFor();

    assert.equal(await bob.locator('button[title="Pin"]').count(), 0, 'members cannot pin');
    await bob.click('button[data-panel="pins"]');
    const card = bob.locator('.pins-panel .card', { hasText: 'Lunch plan' });
    await card.waitFor();
    assert.equal(await card.locator('.pin-note').textContent(), 'Note: Friday only');
    assert.equal(await card.locator('button:text-is("Unpin")').count(), 0);
    await card.locator('button:text-is("Jump")').click();
    await messageWith(bob, 'Lunch plan').and(bob.locator('.flash')).waitFor();
  });

  it('unpins from the panel', async () => {
    await alice.click('button[data-panel="pins"]');
    const card = alice.locator('.pins-panel .card', { hasText: 'Lunch plan' });
    await card.locator('button:text-is("Unpin")').click();
    await alice.locator('.pins-panel .panel-status:has-text("Nothing is pinned")').waitFor();
    await messageWith(alice, 'Lunch plan').locator('.pinned-mark').waitFor({ state: 'detached' });
    await alice.click('button[data-panel="pins"]');
    assert.equal(await alice.locator('.pins-panel').count(), 0);
  });

  it('replies in a thread; the other person sees the count and follows the thread live', async () => {
    const lunch = messageWith(bob, 'Lunch plan');
    await lunch.hover();
    await lunch.locator('button[title="Thread"]').click();
    const bobThread = bob.locator('.thread-panel');
    await bobThread.locator('.card', { hasText: 'Lunch plan' }).waitFor();
    await bobThread.locator('.thread-input').fill('Count me in');
    await bobThread.locator('.thread-input').press('Enter');
    await bobThread.locator('.card', { hasText: 'Count me in' }).waitFor();

    const link = messageWith(alice, 'Lunch plan').locator('.thread-link');
    await until(async () => (await link.textContent()) === '1 reply in thread', { what: 'reply count' });
    await link.click();
    const aliceThread = alice.locator('.thread-panel');
    await aliceThread.locator('.card', { hasText: 'Count me in' }).waitFor();
    await aliceThread.locator('.thread-input').fill('Great, see you there');
    await aliceThread.locator('button[type="submit"]').click();
    await bobThread.locator('.card', { hasText: 'Great, see you there' }).waitFor();
    assert.equal(await bobThread.locator('.panel-status').textContent(), '2 replies');
    await bob.mouse.move(5, 5);
    await bob.screenshot({ path: join(ARTIFACTS, 'thread-panel.png') });
  });

  it('searches the channel and jumps to a message far back in the history', async () => {
    await bob.click('button[data-panel="search"]');
    const panel = bob.locator('.search-panel');
    await panel.locator('.search-input').fill('meeting notes');
    await panel.locator('.search-input').press('Enter');
    await panel.locator('.panel-status:text-is("1 message, newest first")').waitFor();
    assert.equal(await messageWith(bob, 'The very first message').count(), 0, 'not loaded before the jump');
    await panel.locator('.card', { hasText: 'The very first message' }).locator('button:text-is("Jump")').click();
    await messageWith(bob, 'The very first message').and(bob.locator('.flash')).waitFor({ timeout: 15000 });

    // Filter by author: Bob wrote the even fillers.
    await panel.locator('.search-input').fill('filler 11');
    await panel.locator('.search-author').selectOption({ label: 'From Bob' });
    await panel.locator('button[type="submit"]').click();
    await panel.locator('.panel-status:text-is("5 messages, newest first")').waitFor();
  });

  it('had no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
