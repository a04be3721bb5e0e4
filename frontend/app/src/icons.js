// Inline SVG icons (drawn here; no icon font or remote asset).

const SVG = 'http://www.w3.org/2000/svg';

/** @type {Record<string, string[]>} path data per icon, 24×24, stroked */
const PATHS = {
  hash: ['M5 9h14', 'M5 15h14', 'M10 4 8 20', 'M16 4l-2 16'],
  speaker: ['M4 9v6h4l5 4V5L8 9H4z', 'M16.5 9a4 4 0 0 1 0 6', 'M19 6.5a8 8 0 0 1 0 11'],
  users: ['M9 11.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z', 'M2.5 20a6.5 6.5 0 0 1 13 0', 'M16 4.5a3.5 3.5 0 0 1 0 7', 'M18 14.2a6.5 6.5 0 0 1 3.5 5.8'],
  plus: ['M12 5v14', 'M5 12h14'],
  join: ['M10 17l5-5-5-5', 'M15 12H3', 'M14 4h5a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1h-5'],
  mic: ['M12 3a3 3 0 0 1 3 3v5a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3z', 'M5 11a7 7 0 0 0 14 0', 'M12 18v3'],
  micOff: ['M12 3a3 3 0 0 1 3 3v5a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3z', 'M5 11a7 7 0 0 0 14 0', 'M12 18v3', 'M4 4l16 16'],
  headphones: ['M4 15v-3a8 8 0 0 1 16 0v3', 'M4 14h3v6H5.5A1.5 1.5 0 0 1 4 18.5z', 'M20 14h-3v6h1.5a1.5 1.5 0 0 0 1.5-1.5z'],
  headphonesOff: ['M4 15v-3a8 8 0 0 1 16 0v3', 'M4 14h3v6H5.5A1.5 1.5 0 0 1 4 18.5z', 'M20 14h-3v6h1.5a1.5 1.5 0 0 0 1.5-1.5z', 'M3 3l18 18'],
  x: ['M6 6l12 12', 'M18 6 6 18'],
  reply: ['M9 14 4 9l5-5', 'M4 9h10a6 6 0 0 1 6 6v3'],
  edit: ['M4 20h4L19 9l-4-4L4 16v4z', 'M13.5 6.5l4 4'],
  trash: ['M4 7h16', 'M9 7V4h6v3', 'M6 7l1 13h10l1-13'],
  smile: ['M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z', 'M8 14a4.5 4.5 0 0 0 8 0', 'M9 9.5h.01', 'M15 9.5h.01'],
  menu: ['M4 6h16', 'M4 12h16', 'M4 18h16'],
  leave: ['M16 17l5-5-5-5', 'M21 12H9', 'M10 4H5a1 1 0 0 0-1 1v14a1 1 0 0 0 1 1h5'],
  pin: ['M9 4h6', 'M10 4v6l-3 4h10l-3-4V4', 'M12 14v7'],
  thread: ['M4 5h16v10H9l-5 4z', 'M8 9h8', 'M8 12h5'],
  more: ['M5 12h.01', 'M12 12h.01', 'M19 12h.01'],
  search: ['M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z', 'M20 20l-4-4'],
  lock: ['M6 11h12v9H6z', 'M8.5 11V8a3.5 3.5 0 0 1 7 0v3'],
};

/**
 * An SVG icon element, hidden from assistive technology (label the button instead).
 * @param {keyof typeof PATHS} name
 * @param {number} [size]
 * @returns {SVGSVGElement}
 */
export function icon(name, size = 18) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '2');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('icon');
  for (const d of PATHS[name]) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}
