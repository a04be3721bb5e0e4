// The user's settings for this browser: theme and mention notifications.

import { askNotificationPermission } from './activity.js';
import { loadSettings, saveSettings } from './preferences.js';
import { applyTheme } from './theme.js';
import { openForm, toast } from './views/dialogs.js';

/**
 * @param {{ onChange?: (settings: import('./preferences.js').Settings) => void }} [options]
 */
export function settingsDialog(options = {}) {
  const current = loadSettings();
  openForm({
    title: 'Settings',
    description: 'Kept in this browser.',
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
