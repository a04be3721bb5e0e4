// The sign-in page's error handling against the real server: taken names,
// rate limiting with Retry-After, and the saved API base URL.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, startServer, uniq } from './harness.js';

describe('sign-in page errors', () => {
  /** @type {Awaited<ReturnType<typeof startServer>>} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {import('playwright-core').Page} */
  let page;

  before(async () => {
    server = await startServer({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '4' } });
    browser = await launchBrowser();
    page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/index.html`);
    await page.waitForSelector('body[data-ready="true"]');
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('says when a username is taken', async () => {
    const login = uniq('taken');
    await server.api.call('/api/auth/register', { body: { login, password: 'password123' } });
    await page.click('#tab-register');
    await page.fill('#register-login', login);
    await page.fill('#register-password', 'password123');
    await page.click('#register-submit');
    await page.locator('#auth-error', { hasText: /already taken/i }).waitFor();
  });

  it('asks people to wait when they try too often, with the time from Retry-After', async () => {
    await page.click('#tab-login');
    await page.fill('#login-login', 'someone');
    let text = '';
    for (let i = 0; i < 8 && !/Try again in/.test(text); i += 1) {
      await page.fill('#login-password', `wrong password ${i}`);
      await page.click('#login-submit');
      await page.waitForFunction(() => !(/** @type {HTMLButtonElement} */ (document.getElementById('login-submit'))).getAttribute('aria-busy')?.includes('true'));
      text = (await page.textContent('#auth-error')) ?? '';
    }
    assert.match(text, /Try again in \d+ seconds?\./);
    assert.equal(await page.isDisabled('#login-submit'), true);
    assert.match((await page.textContent('#login-submit')) ?? '', /Sign in \(\d+s\)/);
  });

  it('saves an API base URL and goes back to the default', async () => {
    await page.click('#server-settings summary');
    await page.fill('#api-base', 'not a url ::');
    await page.click('#api-save');
    await page.locator('#api-status', { hasText: 'does not look like a web address' }).waitFor();
    await page.fill('#api-base', '192.168.0.42:8000/');
    await page.click('#api-save');
    await page.locator('#api-base-current', { hasText: 'http://192.168.0.42:8000' }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('charge.apiBase')), 'http://192.168.0.42:8000');
    await page.click('#api-reset');
    await page.locator('#api-base-current', { hasText: server.url }).waitFor();
    await page.click('#api-test');
    await page.locator('#api-status', { hasText: 'is a Charge server' }).waitFor();
  });
});
