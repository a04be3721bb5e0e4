// The phone layout's in-call indicator in real Chromium: while the user is
// in voice, the top bar shows which channel; after moving to a text channel
// one tap on it brings the call back; it goes away on leaving.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ARTIFACTS, launchBrowser, startServer, uniq, watchPage } from './harness.js';
import { ready, roomWithTwo, scriptErrors } from './workspace-helpers.js';

describe('phone layout while in a call', () => {
  /** @type {Awaited<ReturnType<typeof startServer>>} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {string[][]} */
  const errorLists = [];

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('shows an in-call pill that leads back to the call', async () => {
    const setup = await roomWithTwo(server.api, uniq('alice'), uniq('bob'));
    const lounge = await server.api.call(`/api/rooms/${setup.room.slug}/channels`, { token: setup.a, body: { name: 'lounge', type: 'voice' } });
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await ctx.addInitScript((t) => localStorage.setItem('charge.token', t), setup.a);
    const page = await ctx.newPage();
    errorLists.push(watchPage(page, 'alice-phone'));
    await page.goto(`${server.url}/workspace.html#/r/${setup.room.slug}/${lounge.id}`);
    await ready(page);
    const pill = page.locator('#call-pill');
    assert.equal(await pill.isVisible(), false, 'no pill before joining');

    await page.click('#voice-join');
    await pill.waitFor();
    assert.match((await pill.getAttribute('aria-label')) ?? '', /^In voice: lounge/);
    assert.equal(await pill.locator('.call-name').textContent(), 'lounge');

    // Elsewhere in the room, the pill stays and offers the way back.
    await page.click('#btn-drawer');
    await page.click(`.channel-link[href$="/${setup.general.id}"]`);
    await page.waitForSelector('.text-view');
    await pill.waitFor();
    assert.equal(await pill.getAttribute('aria-label'), 'In voice: lounge. Go back to the call');
    await page.waitForSelector('.app[data-drawer="closed"]');
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(ARTIFACTS, 'phone-call.png') });
    await pill.tap();
    await page.waitForSelector(`.voice-view[data-channel-id="${lounge.id}"]`);
    assert.equal(await page.locator('.app').getAttribute('data-drawer'), 'closed');

    await page.click('#voice-leave');
    await pill.waitFor({ state: 'hidden' });
    await ctx.close();
  });

  it('hides the pill on wide screens', async () => {
    const setup = await roomWithTwo(server.api, uniq('alice'), uniq('bob'));
    const lounge = await server.api.call(`/api/rooms/${setup.room.slug}/channels`, { token: setup.a, body: { name: 'lounge', type: 'voice' } });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await ctx.addInitScript((t) => localStorage.setItem('charge.token', t), setup.a);
    const page = await ctx.newPage();
    errorLists.push(watchPage(page, 'alice-wide'));
    await page.goto(`${server.url}/workspace.html#/r/${setup.room.slug}/${lounge.id}`);
    await ready(page);
    await page.click('#voice-join');
    await page.waitForSelector('#voice-dock:not([hidden])');
    assert.equal(await page.locator('#call-pill').isVisible(), false, 'the voice dock does that job');
    await page.click('#voice-leave');
    await ctx.close();
  });

  it('had no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
