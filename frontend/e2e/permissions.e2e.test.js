// Who may do what, in real Chromium against the real server, with two people:
// the owner edits a channel's permission overwrites and the room's role levels;
// the member's composer says why it is disabled, and a channel they may no
// longer view leaves their list at once.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, startServer, uniq, until } from './harness.js';
import { openWorkspace, roomWithTwo, scriptErrors, submitDialog } from './workspace-helpers.js';

/** @typedef {import('playwright-core').Page} Page */

describe('channel permissions and role levels', () => {
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
  /** @type {{ id: number }} */
  let secret;

  before(async () => {
    server = await startServer();
    setup = await roomWithTwo(server.api, uniq('alice'), uniq('bob'));
    secret = await server.api.call(`/api/rooms/${setup.room.slug}/channels`, { token: setup.a, body: { name: 'secret', type: 'text' } });
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

  /**
   * Opens a channel's permission editor as Alice and saves one choice for one target.
   * @param {string} channel
   * @param {string} target the label of the role or member
   * @param {Record<string, string>} choices permission label → Inherit / Allow / Deny
   */
  async function setPermissions(channel, target, choices) {
    await alice.hover(`.channel-item:has-text("${channel}")`);
    await alice.click(`[aria-label="Permissions of channel ${channel}"]`);
    await submitDialog(alice, { target }, { result: true });
    await alice.locator('#dialog h2', { hasText: `in #${channel}` }).waitFor();
    /** @type {Record<string, string>} */
    const values = {};
    for (const [label, choice] of Object.entries(choices)) {
      const name = await alice.locator('#dialog label.field', { hasText: label }).locator('select').getAttribute('name');
      values[/** @type {string} */ (name)] = choice;
    }
    await submitDialog(alice, values);
  }

  it('disables the member’s composer with its reason the moment sending is denied, and enables it again', async () => {
    const composer = bob.locator('.composer-input');
    assert.equal(await composer.isDisabled(), false);
    await setPermissions('general', 'Everyone who is a member', { 'Send messages, react and type': 'Deny' });
    await bob.locator('.composer-blocked', { hasText: 'You do not have permission to send messages' }).waitFor();
    assert.equal(await composer.isDisabled(), true);
    assert.equal(await bob.locator('.send-btn').isDisabled(), true);
    // The server refuses too: the editor only shows what it enforces.
    const refused = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${setup.b}` },
      body: (() => {
        const form = new FormData();
        form.set('channel_id', String(setup.general.id));
        form.set('content', 'let me talk');
        return form;
      })(),
    });
    assert.equal(refused.status, 403);
    assert.deepEqual(await refused.json(), { detail: 'Missing permission: send_messages' });

    await setPermissions('general', 'Everyone who is a member', { 'Send messages, react and type': 'Inherit' });
    await until(async () => !(await composer.isDisabled()), { what: 'composer enabled again' });
    assert.equal(await bob.locator('.composer-blocked').isHidden(), true);
    // A reload computes the same from the channel's overwrites.
    await setPermissions('general', 'Bob', { 'Send messages, react and type': 'Deny' });
    await bob.locator('.composer-blocked').waitFor();
    await bob.reload();
    await bob.waitForSelector('.text-view[data-connection="open"]');
    await bob.locator('.composer-blocked', { hasText: 'permission to send' }).waitFor();
    await setPermissions('general', 'Bob', { 'Send messages, react and type': 'Inherit' });
    await until(async () => !(await bob.locator('.composer-input').isDisabled()), { what: 'composer enabled after reload' });
  });

  it('takes a channel away from the member live when they may no longer view it', async () => {
    await bob.click('.channel-link:has-text("secret")');
    await bob.waitForSelector('.text-view[data-connection="open"] .chat-title:has-text("secret"), .text-view[data-connection="open"]');
    await until(async () => (await bob.evaluate(() => /** @type {any} */ (window).charge.state.channelId)) === secret.id, { what: 'bob in secret' });
    await setPermissions('secret', 'Bob', { 'See the channel': 'Deny' });
    await bob.locator('.channel-link:has-text("secret")').waitFor({ state: 'detached' });
    await until(async () => (await bob.evaluate(() => /** @type {any} */ (window).charge.state.channelId)) === setup.general.id, {
      what: 'bob moved to general',
    });
    // Alice still sees it; the server hides it from Bob's reads as well.
    assert.equal(await alice.locator('.channel-link:has-text("secret")').count(), 1);
    const hidden = await fetch(`${server.url}/api/channels/${secret.id}/history`, { headers: { authorization: `Bearer ${setup.b}` } });
    assert.equal(hidden.status, 404);
    // Given back, it reappears without a reload.
    await setPermissions('secret', 'Bob', { 'See the channel': 'Inherit' });
    await bob.locator('.channel-link:has-text("secret")').waitFor();
  });

  it('lets the owner change role levels, which the server applies at once', async () => {
    await alice.click('#btn-roles');
    await submitDialog(alice, { member: '350' });
    // Members now pass admin checks: Bob creates a channel and Alice sees it arrive.
    const created = await fetch(`${server.url}/api/rooms/${setup.room.slug}/channels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${setup.b}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'by-bob', type: 'text' }),
    });
    assert.equal(created.status, 201);
    await alice.locator('.channel-link:has-text("by-bob")').waitFor();
    await alice.click('#btn-roles');
    const dialog = alice.locator('#dialog');
    assert.equal(await dialog.locator('[name="member"]').inputValue(), '350');
    await dialog.locator('[name="member"]').fill('-5');
    await dialog.locator('button[type="submit"]').click();
    await dialog.locator('.form-error:has-text("whole number")').waitFor();
    await dialog.locator('[name="member"]').fill('200');
    await dialog.locator('button[type="submit"]').click();
    await dialog.waitFor({ state: 'hidden' });
    const refused = await fetch(`${server.url}/api/rooms/${setup.room.slug}/channels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${setup.b}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'again', type: 'text' }),
    });
    assert.equal(refused.status, 403);
  });

  it('shows no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
