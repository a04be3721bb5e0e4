// Mentions in real Chromium: `@` autocomplete in the composer from the room's
// members (by login or display name), driven by the keyboard.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seriousViolations } from './axe.js';
import { launchBrowser, startServer, uniq, until } from './harness.js';
import { openWorkspace, roomWithTwo, scriptErrors } from './workspace-helpers.js';

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

  it('had no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
