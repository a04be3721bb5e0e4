// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { MessageWindow } from '../app/src/views/message-window.js';

const messages = (/** @type {number} */ n, from = 1) => Array.from({ length: n }, (_, i) => ({ id: from + i, content: `m${from + i}` }));

function setup(size = 10, step = 4) {
  const list = document.createElement('ol');
  const scroller = document.createElement('div');
  scroller.append(list);
  document.body.append(scroller);
  let renders = 0;
  const win = new MessageWindow({
    list,
    scroller,
    size,
    step,
    item: (m) => ({
      sig: String(m.content),
      render: () => {
        renders += 1;
        const li = document.createElement('li');
        li.dataset.id = String(m.id);
        li.textContent = String(m.content);
        return li;
      },
    }),
  });
  const ids = () => [...list.children].map((el) => Number(/** @type {HTMLElement} */ (el).dataset.id));
  return { win, list, ids, renders: () => renders };
}

describe('the message window', () => {
  it('renders only the newest `size` messages while following', () => {
    const { win, ids } = setup();
    const all = messages(25);
    win.render(all);
    expect(ids()).toEqual(all.slice(15).map((m) => m.id));
    expect(win.atEnd).toBe(true);
    expect(win.atStart).toBe(false);
    const more = [...all, ...messages(2, 26)];
    win.render(more);
    expect(ids()).toEqual(more.slice(17).map((m) => m.id));
  });

  it('moves by steps towards older and newer messages and stays bounded', () => {
    const { win, ids } = setup();
    const all = messages(25);
    win.render(all);
    expect(win.shift(all, -1)).toBe(true);
    expect(ids()[0]).toBe(12);
    expect(ids()).toHaveLength(10);
    expect(win.follow).toBe(false);
    while (win.shift(all, -1));
    expect(win.atStart).toBe(true);
    expect(ids()).toEqual(all.slice(0, 10).map((m) => m.id));
    expect(win.shift(all, -1)).toBe(false);
    while (win.shift(all, 1));
    expect(win.atEnd).toBe(true);
    expect(win.follow).toBe(true);
    expect(ids()).toEqual(all.slice(15).map((m) => m.id));
  });

  it('keeps its place when older messages are prepended, and re-renders only changes', () => {
    const { win, ids, renders } = setup();
    const all = messages(20, 101);
    win.render(all);
    while (win.shift(all, -1));
    const count = renders();
    const older = [...messages(30, 71), ...all];
    win.render(older);
    expect(ids()[0]).toBe(101);
    expect(renders()).toBe(count);
    win.render([...older.slice(0, 35), { id: 106, content: 'edited' }, ...older.slice(36)]);
    expect(renders()).toBe(count + 1);
  });

  it('centres on a message to show', () => {
    const { win, ids } = setup();
    const all = messages(100);
    win.render(all);
    expect(win.showAround(all, 40)).toBe(true);
    expect(ids()).toEqual(all.slice(34, 44).map((m) => m.id));
    expect(win.rendered.has(40)).toBe(true);
    expect(win.showAround(all, 1000)).toBe(false);
    win.followEnd();
    win.render(all);
    expect(ids().at(-1)).toBe(100);
  });
});
