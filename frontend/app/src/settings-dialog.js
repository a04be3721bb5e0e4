// The user's settings for this browser (theme and mention notifications) and
// the account's sessions: sign out here or everywhere, change the password.

import { askNotificationPermission } from './activity.js';
import { h } from './dom.js';
import { loadSettings, saveSettings } from './preferences.js';
import { applyTheme } from './theme.js';
import { openForm, toast } from './views/dialogs.js';

/**
 * @typedef {{
 *   onChange?: (settings: import('./preferences.js').Settings) => void,
 *   api?: import('./api.js').ApiClient,
 *   signOut?: (everywhere: boolean) => Promise<void>,
 * }} SettingsOptions
 */

/**
 * The account part of the dialog: buttons for the session actions.
 * @param {SettingsOptions} options
 */
function accountSection(options) {
  const { api, signOut } = options;
  if (!api || !signOut) return undefined;
  const button = (/** @type {string} */ id, /** @type {string} */ label, /** @type {() => void} */ onclick, danger = false) =>
    h('button', { type: 'button', id, class: danger ? 'btn btn-danger' : 'btn btn-ghost', onclick }, label);
  return h(
    'section',
    { class: 'stack', 'aria-labelledby': 'settings-account' },
    h('h3', { id: 'settings-account' }, 'Account'),
    h('p', { class: 'muted' }, 'Signing out keeps your unsent drafts in this browser.'),
    h(
      'div',
      { class: 'row' },
      button('settings-password', 'Change password…', () => changePasswordDialog(api)),
      button('settings-signout', 'Sign out', () => void signOut(false)),
      button('settings-signout-all', 'Sign out everywhere', () => void signOut(true), true),
    ),
  );
}

/**
 * Changes the password; the server ends every other sign-in.
 * @param {import('./api.js').ApiClient} api
 */
export function changePasswordDialog(api) {
  openForm({
    title: 'Change password',
    description: 'Every other device signed in to this account will be signed out.',
    fields: [
      { name: 'current', label: 'Current password', type: 'password', autocomplete: 'current-password', required: true, maxLength: 128 },
      { name: 'next', label: 'New password', type: 'password', autocomplete: 'new-password', required: true, maxLength: 128, hint: 'At least 8 characters.' },
      { name: 'confirm', label: 'New password again', type: 'password', autocomplete: 'new-password', required: true, maxLength: 128 },
    ],
    submitLabel: 'Change password',
    submit: async (values) => {
      const next = values.next ?? '';
      if (next.length < 8) throw new Error('The new password must be at least 8 characters long.');
      if (next !== values.confirm) throw new Error('The two new passwords differ.');
      await api.changePassword(values.current ?? '', next);
      toast('Password changed. Your other devices were signed out.', 'ok');
    },
  });
}

/**
 * @param {SettingsOptions} [options]
 */
export function settingsDialog(options = {}) {
  const current = loadSettings();
  openForm({
    title: 'Settings',
    description: 'Theme and notifications are kept in this browser.',
    extra: accountSection(options),
    fields: [
      {
        name: 'theme',
        label: 'Theme',
        type: 'radio',
        value: current.theme,
        options: [
          { value: 'system', label: 'Same as the system' },
          { value: 'light', label: 'Light' },
          { value: 'dark', label: 'Dark' },
        ],
      },
      {
        name: 'notifications',
        label: 'Notifications when someone mentions you and this tab is hidden',
        hint: 'Your browser asks for permission when you save with this on.',
        type: 'radio',
        value: current.notifications ? 'on' : 'off',
        options: [
          { value: 'on', label: 'On' },
          { value: 'off', label: 'Off' },
        ],
      },
    ],
    submitLabel: 'Save',
    submit: (values) => {
      const theme = values.theme === 'light' || values.theme === 'dark' ? values.theme : 'system';
      const settings = saveSettings({ theme, notifications: values.notifications !== 'off' });
      // Still inside the click on Save, so the browser may show its question.
      if (settings.notifications) askNotificationPermission();
      applyTheme(settings.theme);
      options.onChange?.(settings);
      toast('Settings saved.', 'ok');
    },
  });
}
