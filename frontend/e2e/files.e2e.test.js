// Files in real Chromium with two people: uploads by the picker and by
// drag-and-drop with progress bars, an image preview at its own proportions
// that opens full size, a file card that downloads, and a profile picture
// that the other person sees next to the name.

import assert from 'node:assert/strict';
import { deflateSync, crc32 } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, startServer, uniq, until } from './harness.js';
import { openWorkspace, roomWithTwo, scriptErrors } from './workspace-helpers.js';

/** @typedef {import('playwright-core').Page} Page */

/**
 * A real PNG of `width`×`height` (RGB, a gradient), made here.
 * @param {number} width
 * @param {number} height
 */
function png(width, height) {
  const chunk = (/** @type {string} */ type, /** @type {Buffer} */ data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([(x * 3) % 256, (y * 5) % 256, 128], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** @param {Page} page */
const sentMessages = (page) => page.locator('.message-list:not(.pending-list) > li.msg');

describe('files and pictures', () => {
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

  before(async () => {
    server = await startServer();
    const setup = await roomWithTwo(server.api, uniq('alice'), uniq('bob'));
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

  it('sends an image and a file chosen with the picker, and the other person sees both', async () => {
    await alice.locator('.file-picker').setInputFiles([
      { name: 'garden.png', mimeType: 'image/png', buffer: png(640, 400) },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('bring the teapot\n') },
    ]);
    await alice.locator('.upload-tray progress').first().waitFor();
    await until(async () => (await alice.locator('.upload.done').count()) === 2, { what: 'both uploads to finish' });
    await alice.locator('.composer-input').fill('the garden');
    await alice.locator('.composer-input').press('Enter');
    await until(async () => (await alice.locator('.upload').count()) === 0, { what: 'the tray to empty' });

    const message = sentMessages(bob).filter({ hasText: 'the garden' });
    await message.waitFor();
    const img = message.locator('.attachment-img');
    // The space is reserved at the thumbnail's proportions before the picture arrives.
    assert.deepEqual([await img.getAttribute('width'), await img.getAttribute('height')], ['320', '200']);
    await until(() => img.evaluate((el) => /** @type {HTMLImageElement} */ (el).naturalWidth === 320), { what: 'the thumbnail to load' });

    const card = message.locator('.file-card', { hasText: 'notes.txt' });
    await card.waitFor();
    assert.match(await card.innerText(), /17 B/);
    const [download] = await Promise.all([bob.waitForEvent('download'), card.locator('.file-download').click()]);
    assert.equal(download.suggestedFilename(), 'notes.txt');
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(path, 'utf8'), 'bring the teapot\n');

    await img.click();
    const viewer = bob.locator('dialog.lightbox');
    await viewer.waitFor();
    await until(() => viewer.locator('.lightbox-img').evaluate((el) => /** @type {HTMLImageElement} */ (el).naturalWidth === 640), { what: 'the full image' });
    await bob.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
  });

  it('takes a file dropped on the composer, and a removed upload is not sent', async () => {
    await alice.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['first draft'], 'draft.txt', { type: 'text/plain' }));
      data.items.add(new File(['final version'], 'final.txt', { type: 'text/plain' }));
      const target = /** @type {HTMLElement} */ (document.querySelector('.composer'));
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await until(async () => (await alice.locator('.upload.done').count()) === 2, { what: 'the dropped uploads' });
    await alice.getByRole('button', { name: 'Remove draft.txt' }).click();
    await alice.locator('.composer-input').press('Enter');
    const cards = sentMessages(bob).last().locator('.file-card .file-name');
    await until(async () => (await cards.allTextContents()).join() === 'final.txt', { what: 'only final.txt' });
  });

  it('shows a new profile picture next to the name for the other person', async () => {
    await alice.locator('#btn-profile').click();
    const dialog = alice.locator('#dialog');
    await dialog.locator('.avatar-input').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png(500, 500) });
    await dialog.getByText('Picture saved.').waitFor();
    assert.equal(await dialog.locator('.avatar-preview img').count(), 1);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await until(() => alice.locator('#me-avatar img').count().then((n) => n === 1), { what: 'the picture in the user panel' });

    // Bob speaks in between, so Alice's next message starts a group and shows her picture.
    await bob.locator('.composer-input').fill('nice files');
    await bob.locator('.composer-input').press('Enter');
    await sentMessages(alice).filter({ hasText: 'nice files' }).waitFor();
    await alice.locator('.composer-input').fill('new picture');
    await alice.locator('.composer-input').press('Enter');
    const avatar = sentMessages(bob).filter({ hasText: 'new picture' }).locator('.avatar img');
    await avatar.waitFor();
    await until(() => avatar.evaluate((el) => /** @type {HTMLImageElement} */ (el).naturalWidth === 256), { what: 'the re-encoded picture' });
    assert.deepEqual(scriptErrors(errorLists), []);
  });
});
