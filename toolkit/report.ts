// Reports of load runs: a console table, a JSON result and a self-contained HTML page whose charts
// are inline SVG (no script, no external asset), so the file can be mailed or archived as is.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Series {
  name: string;
  /** [x, y] in chart units (x usually seconds since the start of the run). */
  points: [number, number][];
  color?: string;
}

interface Bar {
  label: string;
  value: number;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];
const W = 760;
const H = 280;
const M = { top: 34, right: 20, bottom: 42, left: 64 };

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** Round tick steps (1, 2, 5 × 10^k) covering [0, max]. */
function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function fmtTick(v: number): string {
  if (Math.abs(v) >= 10_000) return `${(v / 1000).toFixed(0)}k`;
  if (Math.abs(v) >= 1_000) return `${(v / 1000).toFixed(1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function frame(title: string, xLabel: string, yLabel: string, xTicks: string, yTicks: string, body: string) {
  const plotH = H - M.top - M.bottom;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">
<text x="${M.left}" y="18" font-size="14" font-weight="600">${escapeHtml(title)}</text>
${yTicks}${xTicks}
<line x1="${M.left}" y1="${M.top + plotH}" x2="${W - M.right}" y2="${M.top + plotH}" stroke="#444"/>
<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + plotH}" stroke="#444"/>
${body}
<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${escapeHtml(xLabel)}</text>
<text x="14" y="${M.top + plotH / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${M.top + plotH / 2})">${escapeHtml(yLabel)}</text>
</svg>`;
}

/** Lines over a shared x axis, e.g. submitted and decided requests over time. */
export function lineChart(title: string, series: Series[], opts: { xLabel: string; yLabel: string }): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const all = series.flatMap((s) => s.points);
  const maxX = Math.max(1e-9, ...all.map((p) => p[0]));
  const maxY = Math.max(1, ...all.map((p) => p[1])) * 1.05;
  const xs = ticks(maxX);
  const ys = ticks(maxY);
  const sx = (x: number) => M.left + (x / Math.max(maxX, xs.at(-1) ?? maxX)) * plotW;
  const sy = (y: number) => M.top + plotH - (y / Math.max(maxY, ys.at(-1) ?? maxY)) * plotH;
  const yTicks = ys
    .map(
      (v) =>
        `<line x1="${M.left}" y1="${sy(v)}" x2="${W - M.right}" y2="${sy(v)}" stroke="#e5e7eb"/><text x="${M.left - 6}" y="${sy(v) + 4}" font-size="10" text-anchor="end">${fmtTick(v)}</text>`,
    )
    .join('');
  const xTicks = xs
    .map((v) => `<text x="${sx(v)}" y="${M.top + plotH + 14}" font-size="10" text-anchor="middle">${fmtTick(v)}</text>`)
    .join('');
  const lines = series
    .map((s, i) => {
      const color = s.color ?? PALETTE[i % PALETTE.length];
      const pts = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
      const legend = `<rect x="${W - M.right - 170}" y="${M.top + 4 + i * 16}" width="10" height="10" fill="${color}"/><text x="${W - M.right - 155}" y="${M.top + 13 + i * 16}" font-size="11">${escapeHtml(s.name)}</text>`;
      return `<polyline fill="none" stroke="${color}" stroke-width="1.6" points="${pts}"/>${legend}`;
    })
    .join('\n');
  return frame(title, opts.xLabel, opts.yLabel, xTicks, yTicks, lines);
}

/** Vertical bars with a label under every few bars, e.g. a latency distribution. */
export function barChart(title: string, bars: Bar[], opts: { xLabel: string; yLabel: string }): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const maxY = Math.max(1, ...bars.map((b) => b.value)) * 1.05;
  const ys = ticks(maxY);
  const top = Math.max(maxY, ys.at(-1) ?? maxY);
  const sy = (y: number) => M.top + plotH - (y / top) * plotH;
  const bw = plotW / Math.max(1, bars.length);
  const every = Math.max(1, Math.ceil(bars.length / 10));
  const yTicks = ys
    .map(
      (v) =>
        `<line x1="${M.left}" y1="${sy(v)}" x2="${W - M.right}" y2="${sy(v)}" stroke="#e5e7eb"/><text x="${M.left - 6}" y="${sy(v) + 4}" font-size="10" text-anchor="end">${fmtTick(v)}</text>`,
    )
    .join('');
  const xTicks = bars
    .map((b, i) =>
      i % every === 0
        ? `<text x="${M.left + i * bw + bw / 2}" y="${M.top + plotH + 14}" font-size="10" text-anchor="middle">${escapeHtml(b.label)}</text>`
        : '',
    )
    .join('');
  const body = bars
    .map(
      (b, i) =>
        `<rect x="${(M.left + i * bw + 0.5).toFixed(1)}" y="${sy(b.value).toFixed(1)}" width="${Math.max(0.5, bw - 1).toFixed(1)}" height="${(M.top + plotH - sy(b.value)).toFixed(1)}" fill="${PALETTE[0]}"><title>${escapeHtml(b.label)}: ${b.value}</title></rect>`,
    )
    .join('');
  return frame(title, opts.xLabel, opts.yLabel, xTicks, yTicks, body);
}

export function htmlTable(header: string[], rows: (string | number)[][]): string {
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
}

export function htmlPage(title: string, sections: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:820px;color:#111}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d1d5db;padding:.25rem .6rem;text-align:left;font-variant-numeric:tabular-nums}
.pass{color:#15803d;font-weight:700}.fail{color:#b91c1c;font-weight:700}svg{display:block;margin:1rem 0}
</style></head><body>
${sections.join('\n')}
</body></html>
`;
}

/** A plain-text table with aligned columns for the console. */
export function textTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(r.map(String)))].join(
    '\n',
  );
}

export function timestampForFile(d = new Date()): string {
  return d
    .toISOString()
    .replace(/[:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Writes `<dir>/<name>-<timestamp>.json` and `.html`; returns their paths. */
export async function writeReport(
  dir: string,
  name: string,
  json: unknown,
  html: string,
): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, `${name}-${timestampForFile()}`);
  await writeFile(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(`${base}.html`, html);
  return { json: `${base}.json`, html: `${base}.html` };
}
