// Drag and drop in the channel list (admins): a channel onto another channel
// (before or after it, by the pointer's half) or onto a category (its end);
// a category onto another category (before or after it). The list is
// re-rendered often, so everything is delegated to the container.

const CHANNEL = 'application/x-charge-channel';
const CATEGORY = 'application/x-charge-category';

/**
 * @param {HTMLElement} container
 * @param {{
 *   enabled: () => boolean,
 *   moveChannel: (channelId: number, target: { categoryId: number | null, beforeId: number | null }) => void,
 *   moveCategory: (categoryId: number, beforeId: number | null) => void,
 * }} actions
 */
export function enableChannelDrag(container, actions) {
  /** @type {{ kind: 'channel' | 'category', id: number } | null} */
  let dragging = null;

  const clearMarks = () => {
    for (const el of container.querySelectorAll('.drop-before, .drop-after, .drop-into')) el.classList.remove('drop-before', 'drop-after', 'drop-into');
  };

  container.addEventListener('dragstart', (e) => {
    const target = /** @type {HTMLElement} */ (e.target);
    if (!actions.enabled() || !e.dataTransfer) return;
    const item = target.closest?.('.channel-item');
    const head = target.closest?.('.category .group-head');
    if (item instanceof HTMLElement && item.dataset.channelId) {
      dragging = { kind: 'channel', id: Number(item.dataset.channelId) };
      e.dataTransfer.setData(CHANNEL, item.dataset.channelId);
    } else if (head) {
      const section = /** @type {HTMLElement} */ (head.closest('.category'));
      dragging = { kind: 'category', id: Number(section.dataset.categoryId) };
      e.dataTransfer.setData(CATEGORY, String(section.dataset.categoryId));
    } else return;
    e.dataTransfer.effectAllowed = 'move';
    container.classList.add('dragging');
  });

  container.addEventListener('dragend', () => {
    dragging = null;
    clearMarks();
    container.classList.remove('dragging');
  });

  /** Where a drop at this event would go, or null. @param {DragEvent} e */
  const dropAt = (e) => {
    if (!dragging) return null;
    const el = /** @type {HTMLElement} */ (e.target);
    if (dragging.kind === 'channel') {
      const item = el.closest?.('.channel-item');
      if (item instanceof HTMLElement && item.dataset.channelId) {
        const rect = item.getBoundingClientRect();
        const after = e.clientY > rect.top + rect.height / 2;
        const next = after ? /** @type {HTMLElement | null} */ (item.nextElementSibling) : item;
        return { mark: item, how: after ? 'drop-after' : 'drop-before', beforeId: next?.dataset.channelId ? Number(next.dataset.channelId) : null, categoryId: categoryOf(item) };
      }
      const group = el.closest?.('.channel-group');
      if (group instanceof HTMLElement && !group.querySelector('#member-list')) return { mark: group, how: 'drop-into', beforeId: null, categoryId: categoryOf(group) };
      return null;
    }
    const section = el.closest?.('.category');
    if (!(section instanceof HTMLElement)) return null;
    const rect = section.getBoundingClientRect();
    const after = e.clientY > rect.top + rect.height / 2;
    const next = after ? /** @type {HTMLElement | null} */ (section.nextElementSibling) : section;
    return { mark: section, how: after ? 'drop-after' : 'drop-before', beforeId: next?.dataset.categoryId ? Number(next.dataset.categoryId) : null, categoryId: null };
  };

  container.addEventListener('dragover', (e) => {
    const at = dropAt(e);
    if (!at) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
    clearMarks();
    at.mark.classList.add(at.how);
  });

  container.addEventListener('drop', (e) => {
    const at = dropAt(e);
    const what = dragging;
    clearMarks();
    if (!at || !what) return;
    e.preventDefault();
    if (what.kind === 'channel') actions.moveChannel(what.id, { categoryId: at.categoryId, beforeId: at.beforeId });
    else actions.moveCategory(what.id, at.beforeId);
  });
}

/** The category an element of the list is in (null: outside any). @param {Element} el */
function categoryOf(el) {
  const section = el.closest('.category');
  return section instanceof HTMLElement && section.dataset.categoryId ? Number(section.dataset.categoryId) : null;
}
