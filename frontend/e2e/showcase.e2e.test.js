// Screenshots of the client's newer parts for the docs, in real Chromium: a
// conversation in the light theme with a message's context menu open, and
// the composer suggesting people to mention with an unread channel beside it.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ARTIFACTS, launchBrowser, startServer, uniq, until } from './harness.js';
import { openWorkspace, roomWithTwo, scriptErrors } from './workspace-helpers.js';

describe('showcase screenshots', () => {
  /** @type {Awaited<ReturnType<typeof startServer>>} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {string[][]} */
  const errorLists = [];
  /** @type {Awaited<ReturnType<typeof roomWithTwo>>} */
  let setup;
  /** @type {{ id: number }} */
  let random;

  before(async () => {
    server = await startServer();
    setup = await roomWithTwo(server.api, uniq('alice'), uniq('bob'));
    const slug = setup.room.slug;
    const team = await server.api.call(`/api/rooms/${slug}/categories`, { token: setup.a, body: { name: 'Team', position: 0 } });
    random = await server.api.call(`/api/rooms/${slug}/channels`, { token: setup.a, body: { name: 'random', type: 'text' } });
    await server.api.call(`/api/rooms/${slug}/channels`, { token: setup.a, body: { name: 'planning', type: 'text', category_id: team.id } });
    await server.api.call(`/api/rooms/${slug}/channels`, { token: setup.a, body: { name: 'Lounge', type: 'voice' } });
    const carol = await server.api.account(uniq('carol'), 'correct horse battery', 'Carol Ann');
    const code = (await server.api.call(`/api/rooms/${slug}/invitations`, { token: setup.a, body: { role: 'member' } })).code;
    await server.api.call(`/api/invites/${code}`, { token: carol, method: 'POST' });
    for (const [token, text] of [
      [setup.a, 'Morning! The **release notes** are in the wiki.'],
      [setup.b, 'Thanks — I will read them after standup.'],
      [carol, 'Small thing: `npm run build` prints the bundle sizes now.'],
      [setup.a, 'Right-click any message for reply, reactions, pins and links.'],
    ]) {
      await server.api.post(/** @type {string} */ (token), setup.general.id, /** @type {string} */ (text));
    }
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('shows a message menu in the light theme', async () => {
    const page = await openWorkspace(browser, server.url, setup.a, `#/r/${setup.room.slug}/${setup.general.id}`, errorLists, 'alice');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForSelector('.text-view[data-connection="open"]');
    const message = page.locator('li.msg', { hasText: 'Thanks — I will read them' });
    const box = await message.boundingBox();
    assert.ok(box);
    await message.click({ button: 'right', position: { x: Math.min(420, box.width - 40), y: 20 } });
    await page.locator('.context-menu').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'message-menu-light.png') });
    await page.keyboard.press('Escape');
    await page.context().close();
  });

  it('suggests people to mention, next to an unread channel', async () => {
    const page = await openWorkspace(browser, server.url, setup.b, `#/r/${setup.room.slug}/${setup.general.id}`, errorLists, 'bob');
    await page.waitForSelector('.text-view[data-connection="open"]');
    // Let the watcher learn the channel first, then something new arrives there.
    await page.waitForTimeout(2000);
    await server.api.post(setup.a, random.id, `@everyone lunch at noon?`);
    await page.locator(`.channel-item[data-channel-id="${random.id}"] .unread-dot`).waitFor({ timeout: 25000 });
    const input = page.locator('.composer-input');
    await input.click();
    await input.pressSequentially('Sounds good, @');
    await until(async () => (await page.locator('.mention-list [role="option"]').count()) >= 3, { what: 'suggestions' });
    await page.screenshot({ path: join(ARTIFACTS, 'mentions.png') });
    await page.context().close();
  });

  it('had no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
