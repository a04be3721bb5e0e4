// People in a room, in real Chromium against the real server: profile and
// status, the member list with roles, invitations.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, startServer, uniq, until, watchPage } from './harness.js';
import { openWorkspace, roomWithTwo, scriptErrors, submitDialog } from './workspace-helpers.js';

/** @typedef {import('playwright-core').Page} Page */

describe('people in a room', () => {
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

  it('edits the display name and status, shown in the user panel and to others', async () => {
    assert.equal(await alice.textContent('#me-name'), 'Alice Liddell');
    assert.equal(await alice.getAttribute('#me-status', 'class'), 'presence online');
    await alice.click('#btn-profile');
    await submitDialog(alice, { display_name: 'Alice L.', status: 'Do not disturb' });
    assert.equal(await alice.textContent('#me-name'), 'Alice L.');
    assert.equal(await alice.getAttribute('#me-status', 'class'), 'presence dnd');
    assert.equal(await alice.textContent('#me-status-text'), 'Do not disturb');
    await alice.waitForSelector('#member-list li:has-text("Alice L.")');
    // Bob sees the new name and status in the channel's online list.
    await bob.waitForSelector('.online-list li:has-text("Alice L.") .presence.dnd', { state: 'attached' });
    // It is the server's record, not only this page's.
    await alice.reload();
    await alice.waitForSelector('body[data-ready="true"]');
    await until(async () => (await alice.textContent('#me-name')) === 'Alice L.', { what: 'name after reload' });
    assert.equal(await alice.getAttribute('#me-status', 'class'), 'presence dnd');
  });

  it('refuses an empty display name with a clear message', async () => {
    await alice.click('#btn-profile');
    const dialog = alice.locator('#dialog');
    await dialog.locator('[name="display_name"]').fill('   ');
    await dialog.locator('button[type="submit"]').click();
    await dialog.locator('.form-error:has-text("display name")').waitFor();
    await alice.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('lists members under their roles, and an owner changes a role that everyone sees live', async () => {
    assert.deepEqual(await bob.$$eval('#member-list .member-role-head', (els) => els.map((el) => el.textContent)), ['Owners — 1', 'Members — 1']);
    assert.equal(await bob.locator('.member-manage').count(), 0, 'members manage no one');
    assert.equal(await bob.isVisible('#btn-add-text'), false);
    await alice.click('[aria-label="Change the role of Bob"]');
    await submitDialog(alice, { role: 'Admin' });
    await bob.waitForSelector('#room-role:text-is("admin")');
    await bob.waitForSelector('#btn-add-text', { state: 'visible' });
    await until(
      async () => JSON.stringify(await bob.$$eval('#member-list .member-role-head', (els) => els.map((el) => el.textContent))) === '["Owners — 1","Admins — 1"]',
      { what: 'member list with an admin' },
    );
    await alice.waitForSelector('#member-list li.member[data-role="admin"]:has-text("Bob")');
    // Back to member: the admin buttons go away again.
    await alice.click('[aria-label="Change the role of Bob"]');
    await submitDialog(alice, { role: 'Member' });
    await bob.waitForSelector('#room-role:text-is("member")');
    await bob.waitForSelector('#btn-add-text', { state: 'hidden' });
  });

  it('shares an invitation link that brings a signed-out visitor into the room', async () => {
    await alice.click('#btn-invite');
    await submitDialog(alice, { role: 'Guest', expires: '1 day' }, { result: true });
    const link = await alice.locator('#dlg-copy-link').inputValue();
    assert.match(link, /\/invite\/[A-Za-z0-9_-]+$/);
    await alice.click('#dialog button:has-text("Done")');

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const visitor = await ctx.newPage();
    errorLists.push(watchPage(visitor, 'visitor'));
    await visitor.goto(link);
    await visitor.locator('#auth-notice:has-text("invited")').waitFor();
    await visitor.fill('#register-login', uniq('carol'));
    await visitor.fill('#register-display', 'Carol');
    await visitor.fill('#register-password', 'correct horse battery');
    await visitor.click('#register-submit');
    await visitor.waitForURL(/workspace\.html/);
    await visitor.waitForSelector('#room-title:text-is("Tea Party")');
    await visitor.waitForSelector('#room-role:text-is("guest")');
    await alice.waitForSelector('#member-list li.member[data-role="guest"]:has-text("Carol")');
    await ctx.close();
  });

  it('lists invitations and revokes one, after which its link no longer works', async () => {
    await alice.click('#btn-invitations');
    const row = alice.locator('.invite-row').first();
    await row.waitFor();
    const code = /** @type {string} */ (await row.getAttribute('data-code'));
    assert.match((await row.textContent()) ?? '', /guest · expires/);
    await row.locator('button:text-is("Revoke")').click();
    await alice.locator(`.invite-row[data-code="${code}"]`).waitFor({ state: 'detached' });
    await alice.keyboard.press('Escape');

    const token = await server.api.account(uniq('dave'), 'correct horse battery', 'Dave');
    const ctx = await browser.newContext();
    await ctx.addInitScript((t) => localStorage.setItem('charge.token', t), token);
    const late = await ctx.newPage();
    await late.goto(`${server.url}/index.html?invite=${code}`);
    await late.waitForURL(/workspace\.html/);
    await late.locator('.toast:has-text("That invitation did not work")').waitFor();
    await late.waitForSelector('.empty-view h2:text-is("Welcome to Charge")');
    await ctx.close();
  });

  it('had no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
