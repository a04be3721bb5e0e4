// Sessions in real Chromium against the real server: access tokens of three
// seconds are renewed silently, signing out everywhere from one browser sends
// another back to the sign-in page, and an unsent draft survives a reload and
// a sign-out. Tokens never appear in WebSocket URLs.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, sleep, startServer, uniq, until, watchPage } from './harness.js';
import { ready, scriptErrors } from './workspace-helpers.js';

/** @typedef {import('playwright-core').Page} Page */

const PASSWORD = 'correct horse battery';
/** Access tokens live three seconds in this server. */
const ACCESS_SECONDS = 3;

/** @param {Page} page @param {string} login */
async function signIn(page, login) {
  await page.fill('#login-login', login);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await page.waitForURL(/workspace\.html/, { timeout: 15000 });
  await ready(page);
}

describe('sessions in the browser', () => {
  /** @type {Awaited<ReturnType<typeof startServer>>} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {string[][]} */
  const errorLists = [];
  /** @type {string[]} */
  const socketUrls = [];
  const login = uniq('sess');
  let slug = '';
  let channelId = 0;

  /** A new browser profile (its own storage: another device) on the sign-in page. */
  async function device(/** @type {string} */ name) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    errorLists.push(watchPage(page, name));
    page.on('websocket', (ws) => socketUrls.push(ws.url()));
    await page.goto(`${server.url}/index.html`);
    await page.waitForSelector('body[data-ready="true"]');
    return page;
  }

  /** @param {Page} page */
  async function openGeneral(page) {
    await page.goto(`${server.url}/workspace.html#/r/${slug}/${channelId}`);
    await ready(page);
    await page.waitForSelector('.text-view .channel-title .channel-name:text-is("general")');
  }

  before(async () => {
    server = await startServer({ env: { ACCESS_TOKEN_EXPIRE_MINUTES: String(ACCESS_SECONDS / 60) } });
    browser = await launchBrowser();
    const token = await server.api.account(login, PASSWORD, 'Sessions');
    const room = await server.api.call('/api/rooms', { token, body: { title: 'Lasting' } });
    slug = room.slug;
    const general = await server.api.call(`/api/rooms/${slug}/channels`, { token, body: { name: 'general', type: 'text' } });
    channelId = general.id;
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('keeps the user signed in well past the access token lifetime', async () => {
    const page = await device('renewing');
    await signIn(page, login);
    await openGeneral(page);
    const first = await page.evaluate(() => localStorage.getItem('charge.token'));
    // Three lifetimes pass: the client renews before each expiry.
    await sleep(ACCESS_SECONDS * 3 * 1000);
    assert.match(page.url(), /workspace\.html/);
    const now = await page.evaluate(() => localStorage.getItem('charge.token'));
    assert.notEqual(now, first, 'the access token was renewed');
    // The socket stayed up and HTTP works with the renewed token.
    const input = page.locator('.composer-input');
    await input.fill('still here after the token lifetime');
    await input.press('Enter');
    await page.waitForSelector('.message-list:not(.pending-list) .msg-body:has-text("still here after the token lifetime")');
    await page.click('#btn-new-room');
    await page.locator('#dialog [name="title"]').fill('Made after renewal');
    await page.locator('#dialog button[type="submit"]').click();
    await page.locator('#dialog').waitFor({ state: 'hidden' });
    await until(() => page.evaluate(() => /** @type {any} */ (window).charge.state.room?.title === 'Made after renewal'), { what: 'the new room' });
    assert.match(page.url(), /workspace\.html/);
    assert.ok(socketUrls.length > 0, 'sockets were opened');
    for (const url of socketUrls) assert.doesNotMatch(url, /token=/, `a token in a socket URL: ${url}`);
    await page.context().close();
  });

  it('signing out everywhere on one device returns another device to the sign-in page', async () => {
    const laptop = await device('laptop');
    await signIn(laptop, login);
    await openGeneral(laptop);
    const phone = await device('phone');
    await signIn(phone, login);
    await openGeneral(phone);
    await phone.click('#btn-settings');
    await phone.click('#settings-signout-all');
    await phone.waitForURL(/index\.html/, { timeout: 10000 });
    // The laptop's sockets are closed by the server; its refresh is refused.
    await laptop.waitForURL(/index\.html\?reason=expired/, { timeout: 10000 });
    await laptop.locator('text=Your session has ended').waitFor();
    assert.equal(await laptop.evaluate(() => localStorage.getItem('charge.refresh')), null);
    await laptop.context().close();
    await phone.context().close();
  });

  it('keeps an unsent draft across a reload and a sign-out', async () => {
    const page = await device('drafting');
    await signIn(page, login);
    await openGeneral(page);
    await page.locator('.composer-input').fill('a thought for later');
    await page.reload();
    await ready(page);
    await page.waitForSelector('.text-view .channel-title .channel-name:text-is("general")');
    assert.equal(await page.locator('.composer-input').inputValue(), 'a thought for later');
    await page.click('#btn-signout');
    await page.waitForURL(/index\.html\?reason=signedout/, { timeout: 10000 });
    await page.waitForSelector('body[data-ready="true"]');
    await signIn(page, login);
    await openGeneral(page);
    await until(async () => (await page.locator('.composer-input').inputValue()) === 'a thought for later', { what: 'the draft after signing in again' });
    await page.context().close();
  });

  it('raised no script errors', () => {
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
