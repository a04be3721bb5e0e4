// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { initialState, reduce } from '../app/src/state/workspace.js';
import { renderCallPill } from '../app/src/views/voice-dock.js';

const room = { id: 1, slug: 'lab', title: 'Lab', channels: [{ id: 1, name: 'general', type: 'text' }, { id: 2, name: 'lounge', type: 'voice' }], categories: [], members: [], invitations: [], role_hierarchy: [] };

describe('the in-call pill', () => {
  it('is hidden outside a call, names the channel in one, and leads back to it', () => {
    const pill = document.createElement('button');
    const back = vi.fn();
    let state = reduce(initialState(1), { type: 'room-opened', room });
    state = reduce(state, { type: 'channel-selected', channelId: 2 });
    renderCallPill(pill, state, null, { back });
    expect(pill.hidden).toBe(true);

    state = reduce(state, { type: 'voice', place: { slug: 'lab', title: 'Lab', channelId: 2 } });
    renderCallPill(pill, state, { status: 'open' }, { back });
    expect(pill.hidden).toBe(false);
    expect(pill.getAttribute('aria-label')).toBe('In voice: lounge');
    expect(pill.classList.contains('here')).toBe(true);

    state = reduce(state, { type: 'channel-selected', channelId: 1 });
    renderCallPill(pill, state, { status: 'connecting' }, { back });
    expect(pill.getAttribute('aria-label')).toBe('In voice: lounge. Go back to the call');
    expect(pill.dataset.status).toBe('connecting');
    pill.click();
    expect(back).toHaveBeenCalledWith('lab', 2);

    state = reduce(state, { type: 'voice', place: null });
    renderCallPill(pill, state, null, { back });
    expect(pill.hidden).toBe(true);
  });
});
