// Reordering the channel list in real Chromium: an owner drags a channel
// into another category and before a channel there, drags a category above
// another, and moves a channel with Alt+Shift+↑; a member sees each change
// live, a reload keeps it, and a member cannot drag.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, startServer, uniq, until } from './harness.js';
import { openWorkspace, ready, roomWithTwo, scriptErrors } from './workspace-helpers.js';

/** @typedef {import('playwright-core').Page} Page */

/** @param {Page} page */
const categoryNames = (page) => page.$$eval('#category-groups .category-name', (els) => els.map((el) => el.textContent));

/** @param {Page} page @param {string} category */
const channelsIn = (page, category) =>
  page.$$eval(
    '#category-groups section.category',
    (sections, name) =>
      sections
        .filter((s) => s.querySelector('.category-name')?.textContent === name)
        .flatMap((s) => [...s.querySelectorAll('.channel-item .channel-name')].map((el) => el.textContent)),
    category,
  );

describe('reordering channels and categories', () => {
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

  before(async () => {
    server = await startServer();
    const setup = await roomWithTwo(server.api, uniq('alice'), uniq('bob'));
    const slug = setup.room.slug;
    const api = server.api;
    const work = await api.call(`/api/rooms/${slug}/categories`, { token: setup.a, body: { name: 'Work', position: 0 } });
    const fun = await api.call(`/api/rooms/${slug}/categories`, { token: setup.a, body: { name: 'Fun', position: 1 } });
    for (const [name, category] of [
      ['plans', work.id],
      ['reports', work.id],
      ['games', fun.id],
      ['music', fun.id],
    ]) {
      await api.call(`/api/rooms/${slug}/channels`, { token: setup.a, body: { name, type: 'text', category_id: category } });
    }
    browser = await launchBrowser();
    const hash = `#/r/${slug}/${setup.general.id}`;
    alice = await openWorkspace(browser, server.url, setup.a, hash, errorLists, 'alice');
    bob = await openWorkspace(browser, server.url, setup.b, hash, errorLists, 'bob');
    await alice.waitForSelector('.text-view[data-connection="open"]');
    await bob.waitForSelector('.text-view[data-connection="open"]');
    assert.deepEqual(await channelsIn(bob, 'Work'), ['plans', 'reports']);
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('drags a channel into another category, before a channel there', async () => {
    const reports = alice.locator('.channel-item', { hasText: 'reports' });
    const music = alice.locator('.channel-item', { hasText: 'music' });
    // The upper half of "music": before it.
    await reports.dragTo(music, { targetPosition: { x: 40, y: 4 } });
    await until(async () => JSON.stringify(await channelsIn(alice, 'Fun')) === '["games","reports","music"]', { what: 'the drop on the owner’s side' });
    await until(async () => JSON.stringify(await channelsIn(bob, 'Fun')) === '["games","reports","music"]', { what: 'the member’s list' });
    assert.deepEqual(await channelsIn(bob, 'Work'), ['plans']);
  });

  it('drags a category above another', async () => {
    await alice.locator('section.category', { hasText: 'Fun' }).locator('.group-head').dragTo(alice.locator('section.category', { hasText: 'Work' }), { targetPosition: { x: 40, y: 4 } });
    await until(async () => JSON.stringify(await categoryNames(bob)) === '["Fun","Work"]', { what: 'the member’s categories' });
    assert.deepEqual(await categoryNames(alice), ['Fun', 'Work']);
  });

  it('moves a channel with Alt+Shift+↑ from the keyboard', async () => {
    await alice.locator('.channel-item', { hasText: 'music' }).locator('.channel-link').focus();
    await alice.keyboard.press('Alt+Shift+ArrowUp');
    await until(async () => JSON.stringify(await channelsIn(bob, 'Fun')) === '["games","music","reports"]', { what: 'the keyboard move' });
    assert.equal(await alice.evaluate(() => document.activeElement?.textContent), 'music', 'focus stays on the moved channel');
  });

  it('keeps the order after a reload, and members cannot drag', async () => {
    await bob.reload();
    await ready(bob);
    assert.deepEqual(await categoryNames(bob), ['Fun', 'Work']);
    assert.deepEqual(await channelsIn(bob, 'Fun'), ['games', 'music', 'reports']);
    assert.equal(await bob.locator('.channel-item[draggable="true"], .group-head[draggable="true"]').count(), 0);
  });

  it('had no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
