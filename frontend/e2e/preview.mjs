// Manual preview: seeds a server and saves screenshots (not part of the test run).
import { join } from 'node:path';
import { ARTIFACTS, launchBrowser, startServer } from './harness.js';

const server = await startServer();
const api = server.api;
const a = await api.account('alice', 'password123', 'Alice Liddell');
const b = await api.account('bob', 'password123', 'Bob');
const room = await api.call('/api/rooms', { token: a, body: { title: 'Tea Party' } });
const ch = await api.call(`/api/rooms/${room.slug}/channels`, { token: a, body: { name: 'general', type: 'text' } });
await api.call(`/api/rooms/${room.slug}/channels`, { token: a, body: { name: 'random', type: 'text' } });
await api.call(`/api/rooms/${room.slug}/channels`, { token: a, body: { name: 'Lounge', type: 'voice' } });
const inv = await api.call(`/api/rooms/${room.slug}/invitations`, { token: a, body: { role: 'member' } });
await api.call(`/api/invites/${inv.code}`, { token: b, method: 'POST' });
const lines = ['Hi all!', 'Welcome to the tea party 🫖', 'Has anyone seen the March Hare?', 'He was here a minute ago.\nThen he left.', 'https://example.org/wonderland is the link', '<b>not bold</b> & stuff'];
for (let i = 0; i < 30; i++) await api.post(i % 3 ? a : b, ch.id, lines[i % lines.length] + (i > 5 ? ` #${i}` : ''));
const browser = await launchBrowser();
for (const [w, hgt, name] of [[1280, 800, 'preview-wide.png'], [390, 844, 'preview-phone.png']]) {
  const ctx = await browser.newContext({ viewport: { width: w, height: hgt } });
  await ctx.addInitScript((t) => localStorage.setItem('charge.token', t), a);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.log('pageerror', e.message));
  page.on('console', (m) => console.log('console', m.type(), m.text()));
  await page.goto(`${server.url}/workspace.html#/r/${room.slug}/${ch.id}`);
  await page.waitForTimeout(2500);
  await page.screenshot({ path: join(ARTIFACTS, name) });
}
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await ctx.newPage();
await page.goto(`${server.url}/`);
await page.waitForTimeout(800);
await page.screenshot({ path: join(ARTIFACTS, 'preview-signin.png') });
await browser.close();
await server.dispose();
