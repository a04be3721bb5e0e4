// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { avatarSrc, fitInside, formatBytes, setFileAccess } from '../app/src/files.js';
import { attachmentList } from '../app/src/views/attachments.js';
import { avatar } from '../app/src/views/avatar.js';

describe('files', () => {
  it('writes sizes the way people read them', () => {
    expect(formatBytes(17)).toBe('17 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(15 * 1024 * 1024)).toBe('15 MB');
  });

  it('fits an image inside the preview box without changing its proportions', () => {
    expect(fitInside(640, 400)).toEqual({ width: 320, height: 200 });
    expect(fitInside(100, 50)).toEqual({ width: 100, height: 50 });
    expect(fitInside(0, 0)).toEqual({ width: 320, height: 320 });
  });

  it('shows images with their space reserved and other files as cards', () => {
    setFileAccess({ base: 'http://api', token: 't' });
    vi.stubGlobal('fetch', vi.fn(() => new Promise(() => {})));
    const list = attachmentList({
      id: 1,
      content: '',
      created_at: '2026-12-07T00:00:00Z',
      attachments: [
        { id: 5, channel_id: 2, file_name: 'a.png', file_size: 10, download_url: '/d/5', thumbnail_url: '/t/5', width: 1000, height: 500 },
        { id: 6, channel_id: 2, file_name: 'notes.txt', file_size: 2048, download_url: '/d/6' },
      ],
    });
    const img = /** @type {HTMLElement} */ (list).querySelector('img.attachment-img');
    expect([img?.getAttribute('width'), img?.getAttribute('height')]).toEqual(['320', '160']);
    expect(/** @type {HTMLElement} */ (list).querySelector('.file-card')?.textContent).toContain('notes.txt');
    expect(/** @type {HTMLElement} */ (list).querySelector('.file-card')?.textContent).toContain('2.0 KB');
    vi.unstubAllGlobals();
  });

  it('hides the files of a deleted message', () => {
    const list = attachmentList({ id: 1, content: '', created_at: '', deleted_at: '2026-12-07T00:00:00Z', attachments: [{ id: 6, channel_id: 2, file_name: 'x', file_size: 1, download_url: '/d/6' }] });
    expect(list).toBeNull();
  });

  it('shows a picture when the person has one, and initials otherwise', () => {
    setFileAccess({ base: 'http://api', token: null });
    expect(avatarSrc('/api/profile/avatar/3?v=1')).toBe('http://api/api/profile/avatar/3?v=1');
    expect(avatar('Alice Liddell', '/api/profile/avatar/3?v=1').querySelector('img')?.getAttribute('src')).toBe('http://api/api/profile/avatar/3?v=1');
    expect(avatar('Alice Liddell', null).textContent).toBe('AL');
  });
});
