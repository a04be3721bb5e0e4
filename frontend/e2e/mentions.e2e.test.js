// Mentions in real Chromium: `@` autocomplete in the composer from the room's
// members (by login or display name), driven by the keyboard; browser
// notifications for mentions while the tab is hidden (permission asked from
// the settings' Save click, a setting turns them off); unread dots on
// channels that received messages while not viewed.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seriousViolations } from './axe.js';
import { launchBrowser, sleep, startServer, uniq, until, watchPage } from './harness.js';
import { openWorkspace, ready, roomWithTwo, scriptErrors, submitDialog } from './workspace-helpers.js';

/** @typedef {import('playwright-core').Page} Page */

/** @param {Page} page */
const options = (page) => page.locator('.mention-list [role="option"]');

describe('mentions', () => {
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
  /** @type {string} */
  let bobLogin;

  before(async () => {
    server = await startServer();
    bobLogin = uniq('bob');
    setup = await roomWithTwo(server.api, uniq('alice'), bobLogin);
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

  it('suggests members after @ and inserts the chosen login from the keyboard', async () => {
    const input = alice.locator('.composer-input');
    await input.click();
    await input.pressSequentially('Hello @');
    await options(alice).first().waitFor();
    const shown = await options(alice).locator('.mention-name').allTextContents();
    assert.ok(shown.includes('Bob') && shown.includes('Alice Liddell') && shown.includes('everyone'), shown.join(', '));
    assert.deepEqual(await seriousViolations(alice, '.composer'), []);

    // By display name: "bo" finds Bob; ↓ / ↑ move, Enter inserts.
    await input.pressSequentially('bo');
    await until(async () => (await options(alice).count()) === 1, { what: 'one suggestion' });
    assert.equal(await options(alice).first().getAttribute('data-login'), bobLogin);
    assert.equal(await input.getAttribute('aria-expanded'), 'true');
    await input.press('Enter');
    assert.equal(await input.inputValue(), `Hello @${bobLogin} `);
    assert.equal(await alice.locator('.mention-list').isHidden(), true);

    // Tab picks too; Escape closes without inserting.
    await input.pressSequentially('and @ever');
    await input.press('Tab');
    assert.equal(await input.inputValue(), `Hello @${bobLogin} and @everyone `);
    await input.pressSequentially('@al');
    await options(alice).first().waitFor();
    await input.press('Escape');
    assert.equal(await alice.locator('.mention-list').isHidden(), true);
    await input.press('Backspace');
    await input.press('Backspace');
    await input.press('Backspace');
    await input.press('Enter');
    await bob.locator('.msg-body', { hasText: `Hello @${bobLogin} and @everyone` }).waitFor();
  });

  it('notifies about mentions while the tab is hidden and marks unread channels', async () => {
    const random = await server.api.call(`/api/rooms/${setup.room.slug}/channels`, { token: setup.a, body: { name: 'random', type: 'text' } });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await ctx.addInitScript((t) => localStorage.setItem('charge.token', t), setup.b);
    // A stand-in for the browser's notifications and a tab the test can hide.
    await ctx.addInitScript(() => {
      /** @type {{ title: string, body: string }[]} */
      const notes = [];
      let permission = 'default';
      let hidden = false;
      class FakeNotification {
        /** @param {string} title @param {{ body?: string }} [o] */
        constructor(title, o) {
          notes.push({ title, body: o?.body ?? '' });
        }
        close() {}
        static get permission() {
          return permission;
        }
        static async requestPermission() {
          permission = 'granted';
          return permission;
        }
      }
      Object.defineProperty(window, 'Notification', { value: FakeNotification, configurable: true, writable: true });
      Object.defineProperty(document, 'hidden', { get: () => hidden, configurable: true });
      Object.defineProperty(window, 'testHooks', { value: { notes, permission: () => permission, hide: (/** @type {boolean} */ v) => (hidden = v) } });
    });
    const page = await ctx.newPage();
    errorLists.push(watchPage(page, 'bob-notes'));
    await page.goto(`${server.url}/workspace.html#/r/${setup.room.slug}/${setup.general.id}`);
    await ready(page);
    await page.waitForSelector('.text-view[data-connection="open"]');
    /** @returns {Promise<{ title: string, body: string }[]>} */
    // @ts-ignore testHooks is the stand-in above
    const notes = () => page.evaluate(() => [...window.testHooks.notes]);

    // Permission is asked when the settings are saved (a click).
    // @ts-ignore
    assert.equal(await page.evaluate(() => window.testHooks.permission()), 'default');
    await page.click('#btn-settings');
    await submitDialog(page, { notifications: 'on' });
    // @ts-ignore
    assert.equal(await page.evaluate(() => window.testHooks.permission()), 'granted');

    // The tab is hidden: a mention in the open channel notifies, a plain message does not.
    // @ts-ignore
    await page.evaluate(() => window.testHooks.hide(true));
    await server.api.post(setup.a, setup.general.id, 'Nothing for anyone in particular');
    await server.api.post(setup.a, setup.general.id, `@${bobLogin} are you there?`);
    await until(async () => (await notes()).length === 1, { what: 'a notification' });
    assert.deepEqual(await notes(), [{ title: 'Alice Liddell mentioned you in #general', body: `@${bobLogin} are you there?` }]);
    await server.api.post(setup.a, setup.general.id, '@here lunch?');
    await until(async () => (await notes()).length === 2, { what: 'a notification for @here' });

    // Another channel: a dot, then a mention dot (and a notification), cleared on opening it.
    const item = page.locator(`.channel-item[data-channel-id="${random.id}"]`);
    await item.waitFor();
    await sleep(1500);
    await server.api.post(setup.a, random.id, 'psst, over here');
    await item.locator('.unread-dot.message').waitFor({ timeout: 25000 });
    assert.match((await item.locator('.channel-link').textContent()) ?? '', /random, unread messages/);
    await server.api.post(setup.a, random.id, `@${bobLogin} psst`);
    await item.locator('.unread-dot.mention').waitFor({ timeout: 25000 });
    await until(async () => (await notes()).length === 3, { what: 'a notification from another channel' });
    assert.equal((await notes())[2].title, 'Alice Liddell mentioned you in #random');
    // @ts-ignore
    await page.evaluate(() => window.testHooks.hide(false));
    await item.locator('.channel-link').click();
    await page.waitForSelector(`.text-view[data-channel-id="${random.id}"]`);
    await item.locator('.unread-dot').waitFor({ state: 'detached' });

    // Turned off in the settings: no more notifications.
    await page.click('#btn-settings');
    await submitDialog(page, { notifications: 'off' });
    // @ts-ignore
    await page.evaluate(() => window.testHooks.hide(true));
    await server.api.post(setup.a, random.id, `@${bobLogin} still there?`);
    await page.locator('.msg-body', { hasText: 'still there?' }).waitFor();
    await sleep(500);
    assert.equal((await notes()).length, 3);
    await ctx.close();
  });

  it('had no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
