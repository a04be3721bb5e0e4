// Message context menus in real Chromium: right-click, the "…" button and the
// keyboard open them; reply, react, open thread, edit, pin/unpin (admins),
// copy text, copy link (the link opens the message, even far back in the
// history) and delete work from them.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seriousViolations } from './axe.js';
import { launchBrowser, startServer, uniq } from './harness.js';
import { openWorkspace, roomWithTwo, scriptErrors, submitDialog } from './workspace-helpers.js';

/** @typedef {import('playwright-core').Page} Page */

/** @param {Page} page @param {string} text */
const messageWith = (page, text) => page.locator('.message-list:not(.pending-list) > li.msg', { has: page.locator('.msg-body', { hasText: text }) });

/** @param {Page} page */
const menuLabels = (page) => page.locator('.context-menu [role="menuitem"]').allTextContents();

/** @param {Page} page */
const clipboard = (page) => page.evaluate(() => navigator.clipboard.readText());

describe('message context menus', () => {
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
    await server.api.post(setup.b, setup.general.id, 'An old message worth linking to');
    for (let i = 1; i <= 110; i += 1) await server.api.post(i % 2 ? setup.a : setup.b, setup.general.id, `filler ${i}`);
    await server.api.post(setup.b, setup.general.id, 'Bob asks: who brings the cake?');
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

  it('opens on right-click with what the reader may do; copies text and link', async () => {
    const cake = messageWith(alice, 'who brings the cake');
    await cake.click({ button: 'right' });
    await alice.locator('.context-menu').waitFor();
    assert.deepEqual(await menuLabels(alice), ['Reply', 'Add reaction', 'Open thread', 'Pin', 'Copy text', 'Copy link', 'Delete'], 'an admin on another’s message');
    assert.equal(await alice.evaluate(() => document.activeElement?.textContent), 'Reply', 'the first item has focus');
    assert.deepEqual(await seriousViolations(alice, '.context-menu'), []);
    await alice.click('.context-menu [data-action="copy-text"]');
    assert.equal(await clipboard(alice), 'Bob asks: who brings the cake?');
    await alice.locator('.context-menu').waitFor({ state: 'detached' });

    await messageWith(bob, 'who brings the cake').click({ button: 'right' });
    assert.deepEqual(await menuLabels(bob), ['Reply', 'Add reaction', 'Open thread', 'Edit', 'Copy text', 'Copy link', 'Delete'], 'the author, not an admin');
    await bob.keyboard.press('Escape');
    await bob.locator('.context-menu').waitFor({ state: 'detached' });
  });

  it('copies a link that opens the message far back in the history', async () => {
    const page = alice;
    const id = (await server.api.allMessages(setup.a, setup.general.id)).find((m) => m.content === 'An old message worth linking to').id;
    // The old message is not loaded, so copy the link of a loaded one and swap the id.
    await messageWith(page, 'who brings the cake').click({ button: 'right' });
    await page.click('.context-menu [data-action="copy-link"]');
    const link = await clipboard(page);
    assert.match(link, new RegExp(`/workspace\\.html#/r/${setup.room.slug}/${setup.general.id}/m/\\d+$`));
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await other.addInitScript((t) => localStorage.setItem('charge.token', t), setup.b);
    const reader = await other.newPage();
    await reader.goto(link.replace(/\/m\/\d+$/, `/m/${id}`));
    await messageWith(reader, 'An old message worth linking to').and(reader.locator('.flash')).waitFor({ timeout: 15000 });
    await other.close();
  });

  it('pins and unpins through the … button (admins only)', async () => {
    const cake = messageWith(alice, 'who brings the cake');
    await cake.hover();
    await cake.locator('button[aria-label="More actions"]').click();
    await alice.click('.context-menu [data-action="pin"]');
    await submitDialog(alice, { note: '' });
    await cake.locator('.pinned-mark').waitFor();
    await cake.hover();
    await cake.locator('button[aria-label="More actions"]').click();
    await alice.click('.context-menu [data-action="unpin"]');
    await cake.locator('.pinned-mark').waitFor({ state: 'detached' });
  });

  it('works from the keyboard: react, reply and open the thread', async () => {
    const cake = messageWith(bob, 'who brings the cake');
    await cake.focus();
    await bob.keyboard.press('Enter');
    await bob.locator('.context-menu').waitFor();
    await bob.keyboard.press('ArrowDown');
    assert.equal(await bob.evaluate(() => document.activeElement?.textContent), 'Add reaction');
    await bob.keyboard.press('Enter');
    await bob.locator('.emoji-picker').waitFor();
    await bob.keyboard.press('Enter');
    await messageWith(alice, 'who brings the cake').locator('.reaction', { hasText: '👍 1' }).waitFor();

    await cake.focus();
    await bob.keyboard.press('Shift+F10');
    await bob.keyboard.press('Enter');
    await bob.locator('.reply-bar:not([hidden])').waitFor();
    assert.equal(await bob.evaluate(() => document.activeElement?.tagName), 'TEXTAREA');
    await bob.keyboard.press('Escape');

    await cake.focus();
    await bob.keyboard.press('Enter');
    await bob.click('.context-menu [data-action="thread"]');
    await bob.locator('.thread-panel .card', { hasText: 'who brings the cake' }).waitFor();
  });

  it('edits and deletes from the menu', async () => {
    const cake = messageWith(bob, 'who brings the cake');
    await cake.click({ button: 'right' });
    await bob.click('.context-menu [data-action="edit"]');
    await submitDialog(bob, { content: 'Bob asks: who brings the cake and the tea?' });
    await messageWith(alice, 'the cake and the tea').locator('.edited').waitFor();

    await messageWith(alice, 'the cake and the tea').click({ button: 'right' });
    await alice.click('.context-menu [data-action="delete"]');
    await submitDialog(alice, {});
    await bob.locator('.msg.deleted', { hasText: 'This message was deleted.' }).last().waitFor();
  });

  it('had no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
