// Read state in real Chromium, driven by the server's counts: unread dots on
// channels and a badge on the room, cleared live in one tab when the same
// user reads the channel in another; mention badges from another user; and a
// message whose answer was lost, retried with its nonce, stored once.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, startServer, uniq, until, watchPage } from './harness.js';
import { ready, roomWithTwo, scriptErrors } from './workspace-helpers.js';

/** @typedef {import('playwright-core').Page} Page */

describe('read state', () => {
  /** @type {Awaited<ReturnType<typeof startServer>>} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {import('playwright-core').BrowserContext} */
  let bobs;
  /** @type {Page} */
  let tabOne;
  /** @type {Page} */
  let tabTwo;
  /** @type {string[][]} */
  const errorLists = [];
  /** @type {Awaited<ReturnType<typeof roomWithTwo>>} */
  let setup;
  /** @type {any} */
  let random;
  /** @type {string} */
  let bobLogin;

  /** @param {Page} page @param {number} channelId */
  const dot = (page, channelId) => page.locator(`.channel-item[data-channel-id="${channelId}"] .unread-dot`);
  /** @param {Page} page */
  const roomBadge = (page) => page.locator(`.room-btn[data-slug="${setup.room.slug}"] + .room-badge`);

  before(async () => {
    server = await startServer();
    bobLogin = uniq('bob');
    setup = await roomWithTwo(server.api, uniq('alice'), bobLogin);
    random = await server.api.call(`/api/rooms/${setup.room.slug}/channels`, { token: setup.a, body: { name: 'random', type: 'text' } });
    browser = await launchBrowser();
    // Two tabs of Bob's, in one browser profile.
    bobs = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await bobs.addInitScript((t) => localStorage.setItem('charge.token', t), setup.b);
    tabOne = await bobs.newPage();
    tabTwo = await bobs.newPage();
    errorLists.push(watchPage(tabOne, 'bob-1'), watchPage(tabTwo, 'bob-2'));
    for (const tab of [tabOne, tabTwo]) {
      await tab.goto(`${server.url}/workspace.html#/r/${setup.room.slug}/${setup.general.id}`);
      await ready(tab);
      await tab.waitForSelector('.text-view[data-connection="open"]');
    }
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('shows the server’s unread counts and clears them in every tab when one tab reads', async () => {
    await server.api.post(setup.a, random.id, 'news in random');
    await server.api.post(setup.a, random.id, 'more news');
    // Opening the room again (a reload) reads the counts from the room detail at once.
    await tabOne.reload();
    await ready(tabOne);
    await dot(tabOne, random.id).waitFor();
    assert.match((await dot(tabOne, random.id).getAttribute('class')) ?? '', /message/);
    assert.equal(await dot(tabOne, setup.general.id).count(), 0, 'the open channel has no dot');
    await dot(tabTwo, random.id).waitFor({ timeout: 15000 });

    // Tab two reads #random; tab one's dot goes without a reload.
    await tabTwo.locator(`.channel-item[data-channel-id="${random.id}"] .channel-link`).click();
    await tabTwo.locator('.msg-body', { hasText: 'more news' }).waitFor();
    await dot(tabOne, random.id).waitFor({ state: 'detached', timeout: 5000 });
    const states = await server.api.call('/api/read-states', { token: setup.b });
    const mine = states.find((/** @type {any} */ r) => r.slug === setup.room.slug);
    assert.equal(mine.channels.find((/** @type {any} */ c) => c.channel_id === random.id).unread_count, 0);
  });

  it('shows a mention from another user as a mention dot and a count on the room', async () => {
    // Both tabs look at #general; Alice mentions Bob in #random.
    await tabTwo.locator(`.channel-item[data-channel-id="${setup.general.id}"] .channel-link`).click();
    await tabTwo.waitForSelector(`.text-view[data-channel-id="${setup.general.id}"]`);
    await server.api.post(setup.a, random.id, `@${bobLogin} have a look`);
    await tabOne.reload();
    await ready(tabOne);
    await tabOne.locator(`.channel-item[data-channel-id="${random.id}"] .unread-dot.mention`).waitFor();
    const link = tabOne.locator(`.channel-item[data-channel-id="${random.id}"] .channel-link`);
    assert.match((await link.textContent()) ?? '', /random, mentions you/);
    // The room rail counts it too.
    const rail = tabOne.locator(`.room-btn[data-slug="${setup.room.slug}"]`);
    await until(async () => /1 mention/.test((await rail.getAttribute('aria-label')) ?? ''), { what: 'the room named with its mention' });
    assert.equal((await roomBadge(tabOne).textContent())?.trim(), '1');
    // Reading it in the other tab clears the dot here, live.
    await tabTwo.locator(`.channel-item[data-channel-id="${random.id}"] .channel-link`).click();
    await tabTwo.locator('.msg-body', { hasText: 'have a look' }).waitFor();
    await tabOne.locator(`.channel-item[data-channel-id="${random.id}"] .unread-dot`).waitFor({ state: 'detached', timeout: 5000 });
    await until(async () => !/mention/.test((await rail.getAttribute('aria-label')) ?? ''), { what: 'the room without mentions' });
    assert.equal(await roomBadge(tabOne).count(), 0);
  });

  it('retries a send whose answer was lost with its nonce, and the message is stored once', async () => {
    const page = await bobs.newPage();
    errorLists.push(watchPage(page, 'bob-3'));
    // No socket: sends go over HTTP, and the first answer is lost after the server stored it.
    await page.routeWebSocket(/\/ws\/text\//, (ws) => ws.close());
    let lost = 0;
    await page.route('**/api/messages', async (route) => {
      if (lost === 0 && route.request().method() === 'POST') {
        lost += 1;
        await route.fetch();
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });
    await page.goto(`${server.url}/workspace.html#/r/${setup.room.slug}/${setup.general.id}`);
    await ready(page);
    await page.waitForSelector(`.text-view[data-channel-id="${setup.general.id}"]`);
    const text = `once only ${Date.now()}`;
    const input = page.locator('.composer-input');
    await input.fill(text);
    await input.press('Enter');
    const failed = page.locator('.msg.pending.failed', { hasText: text });
    await failed.waitFor();
    await failed.getByRole('button', { name: 'Retry' }).click();
    await failed.waitFor({ state: 'detached' });
    await page.locator('.msg-body', { hasText: text }).waitFor();
    const all = await server.api.allMessages(setup.b, setup.general.id);
    assert.equal(all.filter((m) => m.content === text).length, 1);
    assert.equal(await page.locator('.msg-body', { hasText: text }).count(), 1);
    await page.close();
  });

  it('had no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
