// A room's structure in real Chromium against the real server: categories
// and channels created, renamed, moved, collapsed and deleted, seen live by
// another member.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, launchBrowser, startServer, uniq, until } from './harness.js';
import { openWorkspace, roomWithTwo, scriptErrors, submitDialog } from './workspace-helpers.js';

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
        .flatMap((s) => [...s.querySelectorAll('.channel-name')].map((el) => el.textContent)),
    category,
  );

/** @param {Page} page @param {string} name @param {'edit' | 'delete'} what */
async function channelButton(page, name, what) {
  const item = page.locator('.channel-item', { has: page.locator('.channel-name', { hasText: new RegExp(`^${name}$`) }) });
  await item.hover();
  await item.locator(what === 'edit' ? '.channel-edit' : '.channel-delete').click();
}

describe('categories and channels', () => {
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
  let slug = '';
  let generalId = 0;

  before(async () => {
    server = await startServer();
    const setup = await roomWithTwo(server.api, uniq('alice'), uniq('bob'));
    slug = setup.room.slug;
    generalId = setup.general.id;
    browser = await launchBrowser();
    alice = await openWorkspace(browser, server.url, setup.a, `#/r/${slug}/${generalId}`, errorLists, 'alice');
    bob = await openWorkspace(browser, server.url, setup.b, `#/r/${slug}/${generalId}`, errorLists, 'bob');
    await bob.waitForSelector('.text-view[data-connection="open"]');
    await bob.waitForSelector('#room-conn[data-status="open"]', { state: 'attached' });
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('shows new categories in order to everyone, and channels created in them', async () => {
    assert.equal(await bob.isVisible('#btn-add-category'), false, 'members cannot create categories');
    await alice.click('#btn-add-category');
    await submitDialog(alice, { name: 'Projects' });
    await alice.click('#btn-add-category');
    await submitDialog(alice, { name: 'Archive' });
    await until(async () => JSON.stringify(await categoryNames(bob)) === '["Projects","Archive"]', { what: 'categories for bob' });

    await alice.click('[aria-label="Create a channel in Projects"]');
    await submitDialog(alice, { type: 'text', name: 'plans' });
    await until(async () => JSON.stringify(await channelsIn(bob, 'Projects')) === '["plans"]', { what: 'plans under Projects' });
    await alice.waitForSelector('.text-view .channel-title:has-text("plans")');
  });

  it('renames a channel, and the header, composer and tab title follow for everyone', async () => {
    await bob.click('.channel-link:has-text("plans")');
    await bob.waitForSelector('.text-view[data-connection="open"] .channel-title:has-text("plans")');
    await channelButton(alice, 'plans', 'edit');
    await submitDialog(alice, { name: 'roadmap' });
    await bob.waitForSelector('.text-view .channel-title .channel-name:text-is("roadmap")');
    assert.equal(await bob.getAttribute('.composer-input', 'placeholder'), 'Message #roadmap');
    await until(async () => (await bob.title()) === '#roadmap · Tea Party · Charge', { what: 'page title' });
    assert.equal(await alice.getAttribute('.composer-input', 'placeholder'), 'Message #roadmap');
    await alice.mouse.move(5, 5);
    await alice.screenshot({ path: join(ARTIFACTS, 'categories.png') });
  });

  it('collapses a category and remembers it after a reload', async () => {
    await bob.click(`.channel-link[href$="/${generalId}"]`);
    await bob.waitForSelector('.text-view .channel-title .channel-name:text-is("general")');
    await bob.click('.category-toggle:has-text("Projects")');
    assert.equal(await bob.getAttribute('.category-toggle:has-text("Projects")', 'aria-expanded'), 'false');
    assert.deepEqual(await channelsIn(bob, 'Projects'), []);
    await bob.reload();
    await bob.waitForSelector('body[data-ready="true"]');
    await bob.waitForSelector('.category-toggle:has-text("Projects")');
    assert.deepEqual(await channelsIn(bob, 'Projects'), []);
    await bob.click('.category-toggle:has-text("Projects")');
    assert.deepEqual(await channelsIn(bob, 'Projects'), ['roadmap']);
  });

  it('keeps an unsent draft per channel across channel switches and reloads', async () => {
    await bob.locator('.composer-input').fill('a half-written thought');
    await bob.click('.channel-link:has-text("roadmap")');
    await bob.waitForSelector('.text-view .channel-title .channel-name:text-is("roadmap")');
    assert.equal(await bob.locator('.composer-input').inputValue(), '');
    await bob.reload();
    await bob.waitForSelector('body[data-ready="true"]');
    await bob.click(`.channel-link[href$="/${generalId}"]`);
    await bob.waitForSelector('.text-view .channel-title .channel-name:text-is("general")');
    assert.equal(await bob.locator('.composer-input').inputValue(), 'a half-written thought');
    await bob.locator('.composer-input').press('Enter');
    await bob.waitForSelector('.message-list:not(.pending-list) .msg-body:has-text("a half-written thought")');
    await bob.reload();
    await bob.waitForSelector('.text-view .channel-title .channel-name:text-is("general")');
    assert.equal(await bob.locator('.composer-input').inputValue(), '');
  });

  it('moves a channel to another category', async () => {
    await channelButton(alice, 'roadmap', 'edit');
    await submitDialog(alice, { category: 'Archive' });
    await until(async () => JSON.stringify(await channelsIn(bob, 'Archive')) === '["roadmap"]', { what: 'roadmap under Archive' });
    assert.deepEqual(await channelsIn(bob, 'Projects'), []);
  });

  it('renames and deletes a category; its channels stay', async () => {
    await alice.click('[aria-label="Rename category Archive"]');
    await submitDialog(alice, { name: 'Old things' });
    await until(async () => JSON.stringify(await categoryNames(bob)) === '["Projects","Old things"]', { what: 'renamed category' });
    await alice.click('[aria-label="Delete category Old things"]');
    await alice.locator('#dialog button[type="submit"]').click();
    await until(async () => JSON.stringify(await categoryNames(bob)) === '["Projects"]', { what: 'deleted category' });
    await bob.waitForSelector('#text-channels .channel-name:text-is("roadmap")');
  });

  it('deletes a channel someone is reading, and takes them elsewhere', async () => {
    await bob.click('.channel-link:has-text("roadmap")');
    await bob.waitForSelector('.text-view .channel-title .channel-name:text-is("roadmap")');
    await channelButton(alice, 'roadmap', 'delete');
    await alice.locator('#dialog button[type="submit"]').click();
    await bob.waitForSelector('.toast:has-text("was deleted")');
    await bob.waitForSelector('.text-view .channel-title .channel-name:text-is("general")');
    assert.equal(await bob.locator('.channel-name:text-is("roadmap")').count(), 0);
  });

  it('had no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
