// Two people meet in a room and chat, in real Chromium against the real server.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ARTIFACTS, launchBrowser, startServer, uniq, until, watchPage } from './harness.js';

/** @typedef {import('playwright-core').Page} Page */

const ODD = 'Odd <script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> & "quotes" \'single\' 👋🏽 ünïcødé العربية ‮reversed‬ `code` **bold**';

/** @param {Page} page */
const ready = (page) => page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });

/** @param {Page} page @param {string} login @param {string} password @param {string} display */
async function registerViaUi(page, login, password, display) {
  await page.click('#tab-register');
  await page.fill('#register-login', login);
  await page.fill('#register-display', display);
  await page.fill('#register-password', password);
  await page.click('#register-submit');
  await page.waitForURL(/workspace\.html/, { timeout: 15000 });
  await ready(page);
}

/** @param {Page} page @param {Record<string, string>} values */
async function submitDialog(page, values) {
  const dialog = page.locator('#dialog');
  await dialog.waitFor({ state: 'visible' });
  for (const [name, value] of Object.entries(values)) {
    const field = dialog.locator(`[name="${name}"]`);
    const tag = await field.first().evaluate((el) => `${el.tagName}:${el.getAttribute('type') ?? ''}`);
    if (tag === 'INPUT:radio') await dialog.locator(`input[name="${name}"][value="${value}"]`).check();
    else if (tag.startsWith('SELECT')) await field.selectOption(value);
    else await field.fill(value);
  }
  await dialog.locator('button[type="submit"]').click();
}

/** @param {Page} page @param {string} text */
async function send(page, text) {
  const input = page.locator('.composer-input');
  await input.fill(text);
  await input.press('Enter');
}

/** @param {Page} page */
const messageIds = (page) =>
  page.$$eval('.message-list:not(.pending-list) > li.msg', (els) => els.map((el) => Number(/** @type {HTMLElement} */ (el).dataset.id)));

/** @param {Page} page @param {string} text */
const bodyLocator = (page, text) => page.locator('.message-list:not(.pending-list) .msg-body', { hasText: text });

/** @param {Page} page @param {string} text */
const exactBody = (page, text) => page.locator('.message-list:not(.pending-list) .msg-body').getByText(text, { exact: true });

describe('text chat between two browsers', () => {
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
  const password = 'correct horse battery';
  const aliceLogin = uniq('alice');
  const bobLogin = uniq('bob');
  let inviteCode = '';
  let channelId = 0;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const ctxA = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    const ctxB = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    alice = await ctxA.newPage();
    bob = await ctxB.newPage();
    errorLists.push(watchPage(alice, 'alice'), watchPage(bob, 'bob'));
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('shows the sign-in page served by the server, and explains errors in plain words', async () => {
    await alice.goto(`${server.url}/`);
    await ready(alice);
    assert.equal(await alice.title(), 'Sign in · Charge');
    // The page found its own origin as the API base.
    assert.equal(await alice.textContent('#api-base-current'), server.url);
    await alice.screenshot({ path: join(ARTIFACTS, 'sign-in.png') });
    await alice.fill('#login-login', 'nobody-here');
    await alice.fill('#login-password', 'wrong password');
    await alice.click('#login-submit');
    const error = alice.locator('#auth-error');
    await error.waitFor({ state: 'visible' });
    assert.match((await error.textContent()) ?? '', /incorrect|invalid|password/i);
    await alice.fill('#login-password', 'short');
    await alice.click('#login-submit');
    await until(async () => /at least 8/.test((await error.textContent()) ?? ''), { what: 'local validation' });
  });

  it('sends a visitor without a token back to sign-in', async () => {
    await bob.goto(`${server.url}/workspace.html`);
    await bob.waitForURL(/index\.html/);
  });

  it('registers both people, creates a room with channels and an invitation', async () => {
    await registerViaUi(alice, aliceLogin, password, 'Alice Liddell');
    await alice.click('#btn-new-room');
    await submitDialog(alice, { title: 'Tea Party' });
    await alice.waitForSelector('.room-btn[aria-current="page"]');
    assert.equal(await alice.textContent('#room-title'), 'Tea Party');
    await alice.click('#btn-add-text');
    await submitDialog(alice, { type: 'text', name: 'general' });
    await alice.waitForSelector('.text-view');
    await alice.click('#btn-add-voice');
    await submitDialog(alice, { type: 'voice', name: 'Lounge' });
    await alice.waitForSelector('.voice-view');
    await alice.click('.channel-item[data-type="text"] .channel-link');
    await alice.waitForSelector('.text-view[data-connection="open"]');
    const hash = new URL(alice.url()).hash;
    const m = /#\/r\/([^/]+)\/(\d+)/.exec(hash);
    assert.ok(m, `hash ${hash}`);
    assert.ok(decodeURIComponent(m[1]));
    channelId = Number(m[2]);

    await alice.click('#btn-invite');
    await submitDialog(alice, { role: 'member' });
    const codeInput = alice.locator('#dlg-copy-value');
    await codeInput.waitFor();
    inviteCode = await codeInput.inputValue();
    assert.match(inviteCode, /^[A-Za-z0-9_-]{6,}$/);
    await alice.click('#dialog button:has-text("Done")');

    await bob.goto(`${server.url}/index.html`);
    await registerViaUi(bob, bobLogin, password, 'Bob');
    await bob.click('#btn-join');
    await submitDialog(bob, { code: inviteCode });
    await bob.waitForSelector('.text-view[data-connection="open"]');
    assert.equal(await bob.textContent('#room-title'), 'Tea Party');
    // Alice's member list updates live.
    await alice.waitForSelector(`#member-list li:has-text("Bob")`);
  });

  it('updates the channel list live for everyone', async () => {
    await alice.click('#btn-add-text');
    await submitDialog(alice, { type: 'text', name: 'random' });
    await bob.waitForSelector('.channel-item[data-type="text"]:has-text("random")');
    const item = alice.locator('.channel-item', { hasText: 'random' });
    await item.hover();
    await item.locator('.channel-delete').click();
    await alice.locator('#dialog button[type="submit"]').click();
    await bob.waitForSelector('.channel-item:has-text("random")', { state: 'detached' });
    await alice.waitForSelector('.text-view[data-connection="open"]');
    await bob.click('.channel-item[data-type="text"] .channel-link');
    await bob.waitForSelector('.text-view[data-connection="open"]');
  });

  it('gives every control an accessible name', async () => {
    for (const page of [alice, bob]) {
      const unnamed = await page.$$eval('button, a[href], input, textarea, select', (els) =>
        els
          .filter((el) => {
            const e = /** @type {HTMLElement} */ (el);
            if (e.closest('[hidden]') || e.getAttribute('type') === 'hidden') return false;
            const labelled = e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.getAttribute('title');
            const text = (e.textContent ?? '').trim();
            const label = /** @type {HTMLInputElement} */ (e).labels?.length;
            return !labelled && !text && !label;
          })
          .map((el) => el.outerHTML.slice(0, 120)),
      );
      assert.deepEqual(unnamed, []);
    }
  });

  it('chats both ways in real time with replies, typing and presence', async () => {
    await bob.waitForSelector('.online-list li:nth-child(2)', { state: 'attached' });
    await send(alice, 'Hello Bob, welcome!');
    await bodyLocator(bob, 'Hello Bob, welcome!').waitFor();

    await bob.locator('.composer-input').type('typing', { delay: 20 });
    await alice.waitForSelector('.typing-line:has-text("Bob is typing")');
    await bob.locator('.composer-input').fill('');

    const target = bob.locator('li.msg', { hasText: 'Hello Bob, welcome!' });
    await target.hover();
    await target.locator('button[title="Reply"]').click();
    await send(bob, 'Thanks Alice!');
    const reply = alice.locator('li.msg', { hasText: 'Thanks Alice!' });
    await reply.waitFor();
    assert.match((await reply.locator('.reply-ref').textContent()) ?? '', /Alice Liddell/);

    // Shift+Enter makes a new line instead of sending.
    const input = alice.locator('.composer-input');
    await input.fill('line one');
    await input.press('Shift+Enter');
    await input.type('line two');
    await input.press('Enter');
    await until(async () => (await bodyLocator(bob, 'line one').count()) === 1, { what: 'multi-line message' });
    assert.equal(await bodyLocator(bob, 'line one').innerText(), 'line one\nline two');
  });

  it('renders odd characters and long messages safely', async () => {
    await send(alice, ODD);
    const odd = bodyLocator(bob, 'Odd <script>');
    await odd.waitFor();
    // Markdown turns `code` and **bold** into elements; everything else stays text.
    assert.equal(await odd.textContent(), ODD.replace('`code` **bold**', 'code bold'));
    assert.equal(await odd.locator('code').textContent(), 'code');
    assert.equal(await odd.locator('strong').textContent(), 'bold');
    assert.equal(await bob.evaluate(() => /** @type {any} */ (window).__pwned ?? null), null);
    assert.equal(await bob.locator('.msg-body script, .msg-body img').count(), 0);

    const long = `${'long-word-without-breaks-'.repeat(40)}${'x'.repeat(900)}`.slice(0, 2000);
    await send(bob, long);
    const longEl = bodyLocator(alice, 'long-word-without-breaks-');
    await longEl.waitFor();
    assert.equal(await longEl.textContent(), long);
    const overflow = await alice.$eval('.messages', (el) => el.scrollWidth - el.clientWidth);
    assert.ok(overflow <= 1, `horizontal overflow ${overflow}`);
  });

  it('renders markdown: code blocks, emphasis and links that open safely', async () => {
    await send(alice, 'Try *this* ~~not that~~:\n```sh\necho "<b>hi</b>" && **not bold**\n```\nDocs: [the guide](https://example.org/guide)');
    const body = bodyLocator(bob, 'Try');
    await body.waitFor();
    assert.equal(await body.locator('em').textContent(), 'this');
    assert.equal(await body.locator('del').textContent(), 'not that');
    assert.equal(await body.locator('pre').textContent(), 'echo "<b>hi</b>" && **not bold**');
    assert.equal(await body.locator('pre b, pre strong').count(), 0);
    const link = body.locator('a', { hasText: 'the guide' });
    assert.equal(await link.getAttribute('href'), 'https://example.org/guide');
    assert.match((await link.getAttribute('rel')) ?? '', /noopener/);
  });

  it('reacts with an emoji from the picker, and a second click takes it back', async () => {
    const target = bob.locator('li.msg:not(.own)', { hasText: 'Hello Bob, welcome!' });
    await target.hover();
    await target.locator('button[title="React"]').click();
    await bob.locator('.emoji-picker [data-emoji="🎉"]').click();
    const onAlice = alice.locator('li.msg.own', { hasText: 'Hello Bob, welcome!' }).locator('.reaction', { hasText: '🎉' });
    await until(async () => (await onAlice.textContent()) === '🎉 1', { what: 'reaction on alice' });
    await onAlice.click();
    await until(async () => (await onAlice.textContent()) === '🎉 2', { what: 'second reaction' });
    assert.equal(await onAlice.getAttribute('aria-pressed'), 'true');
    await onAlice.click();
    await until(async () => (await onAlice.textContent()) === '🎉 1', { what: 'reaction taken back' });
  });

  it('keeps up with many messages and shows deletions', async () => {
    const token = await alice.evaluate(() => localStorage.getItem('charge.token'));
    assert.ok(token);
    for (let i = 1; i <= 80; i += 1) await server.api.post(token, channelId, `burst message ${i}`);
    await exactBody(bob, 'burst message 80').waitFor();
    const ids = await messageIds(bob);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'in order');

    const victim = alice.locator('li.msg', { hasText: 'burst message 80' });
    await victim.hover();
    await victim.locator('button[title="Delete"]').click();
    await alice.locator('#dialog button[type="submit"]').click();
    await bob.waitForSelector('li.msg.deleted:has-text("This message was deleted.")');
  });

  it('shows the history after a reload and pages back to the start', async () => {
    await bob.reload();
    await ready(bob);
    await bob.waitForSelector('.text-view[data-connection="open"]');
    await exactBody(bob, 'burst message 79').waitFor();
    const token = await bob.evaluate(() => localStorage.getItem('charge.token'));
    const all = await server.api.allMessages(/** @type {string} */ (token), channelId);
    // Scroll to the top until the beginning of the channel shows.
    await until(
      async () => {
        await bob.$eval('.messages', (el) => el.scrollTo({ top: 0 }));
        return bob.locator('.channel-intro').isVisible();
      },
      { what: 'scroll-back to the first message', timeout: 20000, interval: 300 },
    );
    const ids = await messageIds(bob);
    assert.deepEqual(ids, all.map((m) => m.id));
    await bodyLocator(bob, 'Hello Bob, welcome!').waitFor();
  });

  it('reconnects after a server restart and catches up without loss or duplicates', async () => {
    const aliceToken = /** @type {string} */ (await alice.evaluate(() => localStorage.getItem('charge.token')));
    // Bob's network drops while the server restarts, and stays down until
    // the missed messages exist, so catch-up (history?after=) has real work.
    await bob.context().setOffline(true);
    await server.restart();
    await bob.waitForSelector('.text-view:not([data-connection="open"])');
    await alice.waitForSelector('.text-view[data-connection="open"]', { timeout: 30000 });
    for (let i = 1; i <= 70; i += 1) await server.api.post(aliceToken, channelId, `missed while away ${i}`);
    await send(alice, 'sent from the page after the restart');
    /** @type {string[]} */
    const catchUps = [];
    bob.on('request', (req) => {
      if (/\/history\?.*after=/.test(req.url())) catchUps.push(req.url());
    });
    await bob.context().setOffline(false);
    await bob.waitForSelector('.text-view[data-connection="open"]', { timeout: 30000 });
    await bodyLocator(bob, 'sent from the page after the restart').waitFor({ timeout: 15000 });
    await exactBody(bob, 'missed while away 1').waitFor();
    assert.ok(catchUps.length >= 1, 'missed messages were fetched with history?after=');
    const all = await server.api.allMessages(aliceToken, channelId);
    const ids = await messageIds(bob);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    // The list holds every stored message; the DOM shows the newest of them
    // (a window of at most 150), in order.
    assert.equal(Number(await bob.locator('.text-view').getAttribute('data-message-count')), all.length, 'every stored message is in the list');
    assert.deepEqual(ids, all.map((m) => m.id).slice(-ids.length), 'the newest stored messages are shown, in order');
    assert.ok(ids.length >= Math.min(all.length, 150));
    // And the conversation goes on live.
    await send(bob, 'back online');
    await bodyLocator(alice, 'back online').waitFor();
  });

  it('looks like a real conversation (screenshot)', async () => {
    const lines = [
      [alice, 'Welcome back! The server restarted, but nothing got lost.'],
      [bob, 'Yes, everything I missed showed up in order 🎉'],
      [alice, 'Shall we try the voice channel later?\nThe Lounge is open.'],
      [alice, 'Also: the invite code works for the others too, share it around.'],
      [bob, 'Will do. Carol and Dan wanted in.'],
      [alice, 'Great. Rules for #general:\n1. Be kind\n2. No spoilers'],
      [bob, 'Sure — after lunch. https://example.org/menu has the menu.'],
    ];
    for (const [page, text] of lines) {
      await send(/** @type {Page} */ (page), /** @type {string} */ (text));
      await bodyLocator(page === alice ? bob : alice, String(text).split('\n')[0]).waitFor();
    }
    const last = alice.locator('li.msg', { hasText: 'after lunch' });
    await last.hover();
    await last.locator('button[title="Reply"]').click();
    await alice.locator('.composer-input').fill('Perfect, see you there');
    await alice.mouse.move(5, 5);
    await alice.screenshot({ path: join(ARTIFACTS, 'text-channel.png') });
    await alice.locator('.composer-input').press('Enter');
    await bodyLocator(bob, 'Perfect, see you there').waitFor();
  });

  it('looks right at phone width', async () => {
    await bob.setViewportSize({ width: 390, height: 844 });
    await bob.waitForTimeout(200);
    const overflow = await bob.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page overflows by ${overflow}px`);
    await bob.screenshot({ path: join(ARTIFACTS, 'phone.png') });
    await bob.click('#btn-drawer');
    await bob.waitForSelector('.app[data-drawer="open"]');
    await bob.click('.channel-item[data-type="text"] .channel-link');
    await bob.waitForSelector('.app[data-drawer="closed"]');
  });

  it('sends someone whose token the server rejects back to sign-in', async () => {
    const b64 = (/** @type {object} */ o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const forged = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: '1', exp: Math.floor(Date.now() / 1000) + 3600 })}.bad-signature`;
    const ctx = await browser.newContext();
    await ctx.addInitScript((t) => localStorage.setItem('charge.token', t), forged);
    const page = await ctx.newPage();
    await page.goto(`${server.url}/workspace.html`);
    await page.waitForURL(/index\.html\?reason=expired/);
    await page.locator('#auth-notice', { hasText: 'Please sign in again' }).waitFor();
    await ctx.close();
  });

  it('had no script errors', () => {
    const list = errorLists.flat().filter(
      (/** @type {string} */ e) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource|net::/.test(e),
    );
    assert.deepEqual(list, []);
  });
});
