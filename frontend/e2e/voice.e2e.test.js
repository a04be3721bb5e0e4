// Two people talk in a voice channel, in real Chromium with fake microphones:
// once over direct loopback paths, once forced through a real coturn relay.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ARTIFACTS, IN_NETNS, launchBrowser, sleep, startCoturn, startServer, uniq, until, watchPage } from './harness.js';

/** @typedef {import('playwright-core').Page} Page */

/** @param {string} token */
const userId = (token) => Number(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub);

const skip = IN_NETNS ? false : 'needs the loopback-only network namespace (run npm run test:e2e as root)';

/**
 * @param {'direct' | 'relay'} mode
 */
function voiceSuite(mode) {
  describe(`voice between two browsers (${mode === 'relay' ? 'TURN relay only' : 'direct'})`, { skip }, () => {
    /** @type {Awaited<ReturnType<typeof startServer>>} */
    let server;
    /** @type {Awaited<ReturnType<typeof startCoturn>> | null} */
    let turn = null;
    /** @type {import('playwright-core').Browser} */
    let browser;
    /** @type {Page} */
    let alice;
    /** @type {Page} */
    let bob;
    let aliceId = 0;
    let bobId = 0;
    /** @type {string[][]} */
    const errorLists = [];

    before(async () => {
      /** @type {Record<string, string>} */
      const env = {};
      if (mode === 'relay') {
        const cred = { user: 'charge', password: 'e2e-turn-secret' };
        turn = await startCoturn(cred);
        env.WEBRTC_TURN_SERVERS = JSON.stringify([turn.url]);
        env.WEBRTC_TURN_USERNAME = cred.user;
        env.WEBRTC_TURN_CREDENTIAL = cred.password;
      } else {
        // No outside STUN server can be reached from the namespace anyway.
        env.WEBRTC_STUN_SERVERS = '[]';
      }
      server = await startServer({ env });
      const api = server.api;
      const password = 'voice password 1';
      const a = await api.account(uniq('va'), password, 'Alice Voice');
      const b = await api.account(uniq('vb'), password, 'Bob Voice');
      aliceId = userId(a);
      bobId = userId(b);
      const room = await api.call('/api/rooms', { token: a, body: { title: 'Voice Lab' } });
      await api.call(`/api/rooms/${room.slug}/channels`, { token: a, body: { name: 'general', type: 'text' } });
      const voice = await api.call(`/api/rooms/${room.slug}/channels`, { token: a, body: { name: 'Lounge', type: 'voice' } });
      const invitation = await api.call(`/api/rooms/${room.slug}/invitations`, { token: a, body: { role: 'member' } });
      await api.call(`/api/invites/${invitation.code}`, { token: b, method: 'POST' });

      // With a relay-only policy the ICE config must carry the TURN credentials.
      const config = await api.call('/api/config/webrtc', { token: a });
      if (mode === 'relay') {
        const entry = config.iceServers.find((/** @type {any} */ s) => s.urls.some((/** @type {string} */ u) => u.startsWith('turn:')));
        assert.ok(entry, `TURN entry in ${JSON.stringify(config.iceServers)}`);
        assert.equal(entry.credential, 'e2e-turn-secret');
      }

      browser = await launchBrowser();
      /** @param {string} token */
      const open = async (token, /** @type {'dark' | 'light'} */ colorScheme) => {
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
        await ctx.addInitScript(
          ([t, relay]) => {
            localStorage.setItem('charge.token', t);
            if (relay) localStorage.setItem('charge.voice.iceTransportPolicy', 'relay');
          },
          [token, mode === 'relay' ? '1' : ''],
        );
        const page = await ctx.newPage();
        errorLists.push(watchPage(page, token === a ? 'alice' : 'bob'));
        await page.goto(`${server.url}/workspace.html#/r/${encodeURIComponent(room.slug)}/${voice.id}`);
        await page.waitForSelector('body[data-ready="true"]');
        await page.waitForSelector('.voice-view');
        return page;
      };
      alice = await open(a, 'dark');
      bob = await open(b, 'light');
    });

    after(async () => {
      await browser?.close();
      await server?.dispose();
      await turn?.stop();
    });

    it('both join and the peer connection reaches connected on both sides', async () => {
      await alice.click('#voice-join');
      await alice.waitForSelector('.voice-view[data-voice-status="open"]');
      await bob.click('#voice-join');
      await bob.waitForSelector('.voice-view[data-voice-status="open"]');
      await alice.waitForSelector(`.voice-card[data-user-id="${bobId}"][data-peer-state="connected"]`, { timeout: 30000 });
      await bob.waitForSelector(`.voice-card[data-user-id="${aliceId}"][data-peer-state="connected"]`, { timeout: 30000 });
    });

    it('inbound audio bytes grow on both sides', async () => {
      /** @param {Page} page @param {number} peer */
      const bytes = async (page, peer) =>
        Number((await page.getAttribute(`.voice-card[data-user-id="${peer}"]`, 'data-inbound-bytes')) ?? 0);
      const first = [await bytes(alice, bobId), await bytes(bob, aliceId)];
      await sleep(2500);
      const second = [await bytes(alice, bobId), await bytes(bob, aliceId)];
      assert.ok(second[0] > first[0] && second[0] > 0, `alice receives: ${first[0]} -> ${second[0]}`);
      assert.ok(second[1] > first[1] && second[1] > 0, `bob receives: ${first[1]} -> ${second[1]}`);
    });

    it(mode === 'relay' ? 'the audio goes through the TURN relay' : 'the audio takes a direct loopback path', async () => {
      const types = await Promise.all([
        alice.getAttribute(`.voice-card[data-user-id="${bobId}"]`, 'data-local-candidate'),
        bob.getAttribute(`.voice-card[data-user-id="${aliceId}"]`, 'data-local-candidate'),
      ]);
      if (mode === 'relay') {
        assert.deepEqual(types, ['relay', 'relay']);
        assert.match(turn?.log() ?? '', /ALLOCATE processed, success/);
      } else {
        assert.ok(types.every((t) => t === 'host' || t === 'prflx' || t === 'srflx'), `candidate types ${types}`);
      }
    });

    it('shows who is speaking', async () => {
      // The fake microphone beeps; the other side's card lights up.
      await until(async () => (await alice.getAttribute(`.voice-card[data-user-id="${bobId}"]`, 'data-speaking')) === 'true', {
        timeout: 15000,
        interval: 50,
        what: 'Bob to be shown speaking',
      });
    });

    it('mute and deafen reach the other side', async () => {
      await alice.click('#voice-mute');
      assert.equal(await alice.getAttribute('#voice-mute', 'aria-pressed'), 'true');
      await bob.waitForSelector(`.voice-card[data-user-id="${aliceId}"] .flag:has-text("muted")`);
      await bob.click('#voice-deafen');
      await alice.waitForSelector(`.voice-card[data-user-id="${bobId}"] .flag:has-text("deafened")`);
      const bobAudioMuted = await bob.$$eval('#voice-audio-sink audio', (els) => els.every((el) => /** @type {HTMLAudioElement} */ (el).muted));
      assert.equal(bobAudioMuted, true);
      if (mode === 'direct') {
        await bob.click('#voice-deafen');
        await alice.mouse.move(5, 5);
        // Catch Bob's card lit up by the speaking indicator.
        await alice.waitForSelector(`.voice-card.speaking[data-user-id="${bobId}"]`, { timeout: 15000, state: 'attached', polling: 20 });
        await alice.screenshot({ path: join(ARTIFACTS, 'voice-channel.png'), animations: 'disabled' });
      }
    });

    it('comes back by itself after the server restarts', async () => {
      await server.restart();
      await alice.waitForSelector(`.voice-card[data-user-id="${bobId}"][data-peer-state="connected"]`, { timeout: 45000 });
      await bob.waitForSelector(`.voice-card[data-user-id="${aliceId}"][data-peer-state="connected"]`, { timeout: 45000 });
      const before = Number(await alice.getAttribute(`.voice-card[data-user-id="${bobId}"]`, 'data-inbound-bytes'));
      await sleep(2000);
      const after = Number(await alice.getAttribute(`.voice-card[data-user-id="${bobId}"]`, 'data-inbound-bytes'));
      assert.ok(after > before, `alice receives again: ${before} -> ${after}`);
      // Our own state (muted) is restored on the new session.
      await bob.waitForSelector(`.voice-card[data-user-id="${aliceId}"] .flag:has-text("muted")`);
    });

    it('leaving removes the participant on the other side', async () => {
      await bob.click('#voice-leave');
      await alice.waitForSelector(`.voice-card[data-user-id="${bobId}"]`, { state: 'detached' });
      const snapshot = await alice.evaluate(() => /** @type {any} */ (window).charge.voice());
      assert.equal(snapshot.peers.length, 0);
    });

    it('had no script errors', () => {
      const list = errorLists.flat().filter((e) => !/WebSocket|Failed to load resource|net::/.test(e));
      assert.deepEqual(list, []);
    });
  });
}

voiceSuite('direct');
voiceSuite('relay');
