#!/usr/bin/env node
// Checks the production build (dist/, from `npm run build`) against the
// bundle budget written in frontend/README.md: gzip sizes of all JavaScript
// and of all CSS, and the raw size of everything. Exits 1 when over.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Budgets in kB (1000 bytes); keep in step with the README. */
export const BUDGET = { jsGzip: 60, cssGzip: 9, totalRaw: 250 };

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

/** @param {string} dir @returns {string[]} */
function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

let list;
try {
  list = files(dist);
} catch {
  process.stderr.write('[budget] no dist/ (run npm run build first)\n');
  process.exit(1);
}

const kb = (/** @type {number} */ bytes) => (bytes / 1000).toFixed(2);
let jsGzip = 0;
let cssGzip = 0;
let totalRaw = 0;
for (const path of list.sort()) {
  const data = readFileSync(path);
  const gz = gzipSync(data, { level: 9 }).length;
  totalRaw += data.length;
  if (extname(path) === '.js') jsGzip += gz;
  if (extname(path) === '.css') cssGzip += gz;
  process.stdout.write(`${relative(dist, path).padEnd(36)} ${kb(data.length).padStart(8)} kB  gzip ${kb(gz).padStart(7)} kB\n`);
}

const rows = [
  ['JavaScript (gzip)', jsGzip, BUDGET.jsGzip],
  ['CSS (gzip)', cssGzip, BUDGET.cssGzip],
  ['everything (raw)', totalRaw, BUDGET.totalRaw],
];
let over = false;
for (const [label, size, budget] of rows) {
  const bad = Number(size) > Number(budget) * 1000;
  over ||= bad;
  process.stdout.write(`${String(label).padEnd(20)} ${kb(Number(size)).padStart(8)} kB of ${budget} kB ${bad ? 'OVER BUDGET' : 'ok'}\n`);
}
process.exit(over ? 1 : 0);
