// The screenshots in docs/screenshots/ and the browser-test suites that take
// them (into test-artifacts/). After a green run, run.js copies them over;
// scripts/screenshots.js runs just these suites to regenerate them all.

/** @type {{ file: string, suite: string }[]} */
export const SCREENSHOTS = [
  { file: 'sign-in.png', suite: 'chat.e2e.test.js' },
  { file: 'text-channel.png', suite: 'chat.e2e.test.js' },
  { file: 'phone.png', suite: 'chat.e2e.test.js' },
  { file: 'voice-channel.png', suite: 'voice.e2e.test.js' },
  { file: 'categories.png', suite: 'structure.e2e.test.js' },
  { file: 'thread-panel.png', suite: 'tools.e2e.test.js' },
  { file: 'phone-call.png', suite: 'phone.e2e.test.js' },
  { file: 'message-menu-light.png', suite: 'showcase.e2e.test.js' },
  { file: 'mentions.png', suite: 'showcase.e2e.test.js' },
];
