// Dialogs for a room's structure: create, edit (rename, move) and delete
// channels; create, rename and delete categories. Replies go into the store;
// the room socket brings the same changes to everyone else.

import { nameLimit } from './room-dialogs.js';
import { categoryOrder, isVoice, nextPosition } from './state/workspace.js';
import { openForm, toast } from './views/dialogs.js';

/** @typedef {import('./room-dialogs.js').WorkspaceContext} WorkspaceContext */
/** @typedef {import('./state/workspace.js').Channel} Channel */
/** @typedef {import('./state/workspace.js').Category} Category */

/**
 * The category choice for a channel ('' = none).
 * @param {WorkspaceContext} ctx
 * @param {number | null | undefined} current
 * @returns {import('./views/dialogs.js').Field}
 */
function categoryField(ctx, current) {
  const categories = [...(ctx.store.state.room?.categories ?? [])].sort(categoryOrder);
  return {
    name: 'category',
    label: 'Category',
    type: 'select',
    value: current != null ? String(current) : '',
    options: [{ value: '', label: 'No category' }, ...categories.map((c) => ({ value: String(c.id), label: c.name }))],
  };
}

/** @param {string | undefined} value */
const categoryValue = (value) => (value ? Number(value) : null);

/** @param {string | undefined} value @param {string} what */
function requiredName(value, what) {
  const name = (value ?? '').trim();
  if (!name) throw new Error(`Give the ${what} a name.`);
  return name;
}

/**
 * @param {WorkspaceContext} ctx
 * @param {'text' | 'voice'} type
 * @param {number | null} [categoryId]
 */
export function createChannelDialog(ctx, type, categoryId = null) {
  const room = ctx.store.state.room;
  if (!room) return;
  openForm({
    title: 'Create a channel',
    fields: [
      {
        name: 'type',
        label: 'Kind',
        type: 'radio',
        value: type,
        options: [
          { value: 'text', label: 'Text — messages and replies' },
          { value: 'voice', label: 'Voice — talk together' },
        ],
      },
      { name: 'name', label: 'Name', placeholder: type === 'voice' ? 'Lounge' : 'general', maxLength: nameLimit(ctx), required: true },
      ...(room.categories.length ? [categoryField(ctx, categoryId)] : []),
    ],
    submitLabel: 'Create channel',
    submit: async (values) => {
      const name = requiredName(values.name, 'channel');
      const category = categoryValue(values.category);
      const channel = await ctx.api.createChannel(room.slug, { name, type: values.type === 'voice' ? 'voice' : 'text', ...(category != null ? { category_id: category } : {}) });
      ctx.store.dispatch({ type: 'channel-saved', channel });
      ctx.openChannel(channel.id);
    },
  });
}

/**
 * Rename a channel or move it to another category.
 * @param {WorkspaceContext} ctx
 * @param {Channel} ch
 */
export function editChannelDialog(ctx, ch) {
  const room = ctx.store.state.room;
  if (!room) return;
  openForm({
    title: `Edit “${ch.name}”`,
    fields: [
      { name: 'name', label: 'Name', value: ch.name, maxLength: nameLimit(ctx), required: true },
      ...(room.categories.length ? [categoryField(ctx, ch.category_id)] : []),
    ],
    submitLabel: 'Save',
    submit: async (values) => {
      const name = requiredName(values.name, 'channel');
      /** @type {{ name?: string, category_id?: number | null }} */
      const body = {};
      if (name !== ch.name) body.name = name;
      if (room.categories.length) {
        const category = categoryValue(values.category);
        if (category !== (ch.category_id ?? null)) body.category_id = category;
      }
      if (!Object.keys(body).length) return;
      const channel = await ctx.api.updateChannel(ch.id, body);
      ctx.store.dispatch({ type: 'channel-saved', channel });
    },
  });
}

/**
 * @param {WorkspaceContext} ctx
 * @param {Channel} ch
 */
export function deleteChannelDialog(ctx, ch) {
  const room = ctx.store.state.room;
  if (!room) return;
  openForm({
    title: `Delete “${ch.name}”?`,
    description: isVoice(ch)
      ? 'The voice channel will be removed for everyone.'
      : 'All messages in this channel will be deleted for everyone. This cannot be undone.',
    submitLabel: 'Delete channel',
    danger: true,
    submit: async () => {
      await ctx.api.deleteChannel(room.slug, ch.letter);
      ctx.store.dispatch({ type: 'channel-removed', channelId: ch.id });
      toast(`Deleted “${ch.name}”.`, 'ok');
    },
  });
}

/** @param {WorkspaceContext} ctx */
export function createCategoryDialog(ctx) {
  const room = ctx.store.state.room;
  const limit = ctx.store.state.limits?.categories_per_room;
  if (!room) return;
  openForm({
    title: 'Create a category',
    description: `Categories group channels in the list. A room holds at most ${limit ?? 'a few dozen'} categories.`,
    fields: [{ name: 'name', label: 'Name', placeholder: 'Projects', maxLength: nameLimit(ctx), required: true }],
    submitLabel: 'Create category',
    submit: async (values) => {
      const name = requiredName(values.name, 'category');
      const category = await ctx.api.createCategory(room.slug, { name, position: nextPosition(room.categories) });
      ctx.store.dispatch({ type: 'category-saved', category });
    },
  });
}

/**
 * @param {WorkspaceContext} ctx
 * @param {Category} category
 */
export function renameCategoryDialog(ctx, category) {
  const room = ctx.store.state.room;
  if (!room) return;
  openForm({
    title: `Rename “${category.name}”`,
    fields: [{ name: 'name', label: 'Name', value: category.name, maxLength: nameLimit(ctx), required: true }],
    submitLabel: 'Save',
    submit: async (values) => {
      const name = requiredName(values.name, 'category');
      if (name === category.name) return;
      const saved = await ctx.api.updateCategory(room.slug, category.id, { name });
      ctx.store.dispatch({ type: 'category-saved', category: saved });
    },
  });
}

/**
 * @param {WorkspaceContext} ctx
 * @param {Category} category
 */
export function deleteCategoryDialog(ctx, category) {
  const room = ctx.store.state.room;
  if (!room) return;
  openForm({
    title: `Delete the category “${category.name}”?`,
    description: 'Its channels stay, outside any category.',
    submitLabel: 'Delete category',
    danger: true,
    submit: async () => {
      await ctx.api.deleteCategory(room.slug, category.id);
      ctx.store.dispatch({ type: 'category-removed', categoryId: category.id });
    },
  });
}
