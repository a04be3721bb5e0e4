// Dialogs that change one message: edit, delete, pin (with a note).

import { openForm } from './dialogs.js';

/** @typedef {import('../messages.js').Message} Message */

/**
 * @param {Message} m
 * @param {{ api: Pick<import('../api.js').ApiClient, 'editMessage'>, maxLength: number, absorb: (m: Message) => void }} ctx
 */
export function editMessageDialog(m, ctx) {
  openForm({
    title: 'Edit message',
    fields: [{ name: 'content', label: 'Message', type: 'textarea', value: m.content ?? '', maxLength: ctx.maxLength }],
    submitLabel: 'Save',
    submit: async (values) => {
      const content = (values.content ?? '').replace(/\s+$/u, '');
      if (!content) throw new Error('A message cannot be empty. Delete it instead.');
      const updated = await ctx.api.editMessage(m.id, content);
      if (updated) ctx.absorb(updated);
    },
  });
}

/**
 * @param {Message} m
 * @param {{ api: Pick<import('../api.js').ApiClient, 'deleteMessage'>, absorb: (m: Message) => void }} ctx
 */
export function deleteMessageDialog(m, ctx) {
  openForm({
    title: 'Delete message?',
    description: 'Everyone in the channel will see that it was deleted.',
    submitLabel: 'Delete',
    danger: true,
    submit: async () => {
      const updated = await ctx.api.deleteMessage(m.id);
      if (updated) ctx.absorb(updated);
    },
  });
}

/**
 * @param {Message} m
 * @param {{ api: Pick<import('../api.js').ApiClient, 'pin'>, channelId: number, noteMax: number, pinsMax: number, absorb: (m: Message) => void, pinned: () => void }} ctx
 */
export function pinMessageDialog(m, ctx) {
  openForm({
    title: 'Pin this message?',
    description: `Pinned messages are listed for everyone under the pin button. A channel holds up to ${ctx.pinsMax}.`,
    fields: [{ name: 'note', label: 'Note (optional)', placeholder: 'Why it matters', maxLength: ctx.noteMax }],
    submitLabel: 'Pin',
    submit: async (values) => {
      const note = (values.note ?? '').trim();
      const pinned = await ctx.api.pin(ctx.channelId, m.id, note || null);
      if (pinned?.message) ctx.absorb(pinned.message);
      ctx.pinned();
    },
  });
}
