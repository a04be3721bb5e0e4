// Accessibility in real Chromium: axe-core finds no serious or critical
// problem on the sign-in page, a text channel, a voice channel and every
// dialog, in the dark and the light theme; channels, messages and dialogs
// work from the keyboard with a visible focus; the theme follows the system
// until the user picks one in the settings, and a reload keeps it.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seriousViolations } from './axe.js';
import { launchBrowser, startServer, uniq, until } from './harness.js';
import { openWorkspace, ready, roomWithTwo, scriptErrors, submitDialog } from './workspace-helpers.js';

/** @typedef {import('playwright-core').Page} Page */

/** @param {Page} page @param {string} where @param {string} [include] */
async function assertAccessible(page, where, include) {
  const found = await seriousViolations(page, include);
  assert.deepEqual(found, [], `${where}: ${found.join('\n')}`);
}

/** @param {Page} page */
const background = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

/** @param {Page} page */
const focusedOutline = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el ? getComputedStyle(el).outlineStyle : 'none';
  });

describe('accessibility and themes', () => {
  /** @type {Awaited<ReturnType<typeof startServer>>} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {string[][]} */
  const errorLists = [];
  /** @type {Awaited<ReturnType<typeof roomWithTwo>>} */
  let setup;
  /** @type {{ id: number }} */
  let voice;
  /** @type {{ id: number }} */
  let random;

  before(async () => {
    server = await startServer();
    setup = await roomWithTwo(server.api, uniq('alice'), uniq('bob'));
    const slug = setup.room.slug;
    random = await server.api.call(`/api/rooms/${slug}/channels`, { token: setup.a, body: { name: 'random', type: 'text' } });
    voice = await server.api.call(`/api/rooms/${slug}/channels`, { token: setup.a, body: { name: 'lounge', type: 'voice' } });
    await server.api.call(`/api/rooms/${slug}/invitations`, { token: setup.a, body: { role: 'member' } });
    await server.api.post(setup.b, setup.general.id, 'Hello **everyone**, see `the notes` and https://example.com');
    await server.api.post(setup.a, setup.general.id, 'Welcome, Bob!');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  for (const scheme of /** @type {const} */ (['dark', 'light'])) {
    it(`has no serious problems on the sign-in page (${scheme})`, async () => {
      const ctx = await browser.newContext({ colorScheme: scheme });
      const page = await ctx.newPage();
      await page.goto(`${server.url}/index.html`);
      await page.waitForSelector('#api-base-current:not(:empty)');
      await assertAccessible(page, 'sign-in');
      await page.click('#tab-register');
      await assertAccessible(page, 'create account');
      await ctx.close();
    });

    it(`has no serious problems in channels and dialogs (${scheme})`, async () => {
      const page = await openWorkspace(browser, server.url, setup.a, `#/r/${setup.room.slug}/${setup.general.id}`, errorLists, `alice-${scheme}`);
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForSelector('.text-view[data-connection="open"]');
      await page.locator('.msg', { hasText: 'Welcome, Bob' }).hover();
      await assertAccessible(page, 'text channel');

      /** @param {string} what @param {() => Promise<void>} open */
      const dialog = async (what, open) => {
        await open();
        await page.waitForSelector('#dialog[open]');
        await assertAccessible(page, what, '#dialog');
        await page.keyboard.press('Escape');
        await page.waitForSelector('#dialog[open]', { state: 'hidden' });
      };
      for (const [id, what] of [
        ['btn-new-room', 'create a room'],
        ['btn-join', 'join a room'],
        ['btn-profile', 'profile'],
        ['btn-settings', 'settings'],
        ['btn-invite', 'invite'],
        ['btn-invitations', 'invitations'],
        ['btn-add-text', 'create a channel'],
        ['btn-add-category', 'create a category'],
      ]) {
        await dialog(what, () => page.click(`#${id}`));
      }
      const channel = page.locator('.channel-item', { hasText: 'random' });
      await dialog('edit a channel', async () => {
        await channel.hover();
        await channel.locator('.channel-edit').click();
      });
      await dialog('delete a channel', async () => {
        await channel.hover();
        await channel.locator('.channel-delete').click();
      });
      const own = page.locator('.msg', { hasText: 'Welcome, Bob' });
      for (const [title, what] of [
        ['Edit', 'edit a message'],
        ['Delete', 'delete a message'],
        ['Pin', 'pin a message'],
      ]) {
        await dialog(what, async () => {
          await own.hover();
          await own.locator(`button[title="${title}"]`).click();
        });
      }
      await page.locator('.member-manage').first().click();
      await page.waitForSelector('#dialog[open]');
      await assertAccessible(page, 'change a role', '#dialog');
      await page.keyboard.press('Escape');

      await page.click(`.channel-link[href$="/${voice.id}"]`);
      await page.waitForSelector('.voice-view, #voice-join');
      await assertAccessible(page, 'voice channel');
      await page.context().close();
    });
  }

  it('moves through channels, messages and dialogs from the keyboard with a visible focus', async () => {
    const page = await openWorkspace(browser, server.url, setup.b, `#/r/${setup.room.slug}/${setup.general.id}`, errorLists, 'bob-keys');
    await page.waitForSelector('.text-view[data-connection="open"]');

    // Channels: arrows move between channel links, Enter opens one; Alt+↑/↓ from anywhere.
    await page.focus(`.channel-link[href$="/${setup.general.id}"]`);
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'random');
    assert.notEqual(await focusedOutline(page), 'none', 'a focused channel shows an outline');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.text-view[data-channel-id="${random.id}"]`);
    await page.keyboard.press('Alt+ArrowUp');
    await page.waitForSelector(`.text-view[data-channel-id="${setup.general.id}"][data-connection="open"]`);

    // Messages: from the composer, Shift+Tab reaches the list, ↑ the last message.
    await page.focus('.composer textarea');
    /** @type {string[]} */
    const passed = [];
    for (let i = 0; i < 6 && !(await page.evaluate(() => document.activeElement?.classList.contains('messages'))); i += 1) {
      await page.keyboard.press('Shift+Tab');
      passed.push(await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80) ?? ''));
    }
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('messages')), true, passed.join('\n'));
    await page.keyboard.press('ArrowUp');
    assert.match((await page.evaluate(() => document.activeElement?.textContent)) ?? '', /Welcome, Bob/);
    assert.notEqual(await focusedOutline(page), 'none', 'a focused message shows an outline');
    assert.equal(await page.locator('.msg:focus .msg-actions').evaluate((el) => getComputedStyle(el).opacity), '1', 'its actions show');
    await page.keyboard.press('ArrowUp');
    assert.match((await page.evaluate(() => document.activeElement?.textContent)) ?? '', /Hello everyone/);
    await page.keyboard.press('Tab');
    // Tab reaches that message's link and buttons (one Tab stop per message otherwise).
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('href')), 'https://example.com');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Reply to Bob', 'Tab reaches the message actions');
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'TEXTAREA', 'Escape goes back to the composer');

    // Dialogs: opened with Enter, focus inside, Escape closes and returns focus.
    await page.focus('#btn-settings');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#dialog[open]');
    assert.equal(await page.evaluate(() => !!document.activeElement?.closest('#dialog')), true, 'focus moves into the dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#dialog[open]', { state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'btn-settings', 'focus returns to the opener');
    await page.context().close();
  });

  it('follows the system theme until the user picks one, and remembers it', async () => {
    const page = await openWorkspace(browser, server.url, setup.b, `#/r/${setup.room.slug}/${setup.general.id}`, errorLists, 'bob-theme');
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await background(page);
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background(page);
    assert.notEqual(dark, light, 'the system scheme changes the colours');
    assert.equal(light, 'rgb(255, 255, 255)');

    await page.click('#btn-settings');
    await submitDialog(page, { theme: 'dark' });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.equal(await background(page), dark, 'the choice wins over the system');
    await page.reload();
    await ready(page);
    assert.equal(await background(page), dark, 'a reload keeps it');
    await page.goto(`${server.url}/index.html`);
    await until(async () => (await background(page)) !== 'rgba(0, 0, 0, 0)');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark', 'the sign-in page uses it too');

    await page.goto(`${server.url}/workspace.html`);
    await ready(page);
    await page.click('#btn-settings');
    await submitDialog(page, { theme: 'system' });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme ?? null), null);
    assert.equal(await background(page), light);
    await page.context().close();
  });

  it('had no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
