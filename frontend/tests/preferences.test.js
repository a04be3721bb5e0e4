// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { loadCollapsed, loadDraft, saveCollapsed, saveDraft } from '../app/src/preferences.js';

beforeEach(() => localStorage.clear());

describe('preferences kept in the browser', () => {
  it('remembers collapsed categories per room', () => {
    saveCollapsed('lab', [3, 9]);
    expect(loadCollapsed('lab')).toEqual([3, 9]);
    expect(loadCollapsed('attic')).toEqual([]);
    saveCollapsed('lab', []);
    expect(localStorage.getItem('charge.collapsed.lab')).toBeNull();
  });

  it('ignores stored values it cannot read', () => {
    localStorage.setItem('charge.collapsed.lab', '{not json');
    expect(loadCollapsed('lab')).toEqual([]);
    localStorage.setItem('charge.collapsed.lab', '["x", 4]');
    expect(loadCollapsed('lab')).toEqual([4]);
  });
});

describe('drafts', () => {
  it('are kept per user and channel, and dropped when empty', () => {
    saveDraft(1, 7, 'half a thought');
    expect(loadDraft(1, 7)).toBe('half a thought');
    expect(loadDraft(1, 8)).toBe('');
    expect(loadDraft(2, 7)).toBe('');
    saveDraft(1, 7, '   ');
    expect(loadDraft(1, 7)).toBe('');
    expect(localStorage.length).toBe(0);
  });
});
