// One self-contained HTML page: totals, and per jail a timeline of failures drawn
// inline with SVG, the would-ban list, and the top addresses with their lines.
// No script, no network: it opens the same from a CI artifact or a mail.

import type { Analysis, JailReport } from './analysis.ts';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;background:#fafafa}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eee}td.n{text-align:right}.ban{color:#b00020;font-weight:600}.none{color:#555}
.totals td{font-size:1.2em}svg.timeline{background:#fff;border:1px solid #ddd}
svg.timeline rect.bar{fill:#3b6ea5}svg.timeline rect.zero{fill:#bbb}svg.timeline text{font-size:11px;fill:#444}
svg.timeline line.grid{stroke:#eee}svg.timeline line.axis,svg.timeline line.x-mark{stroke:#888}
tr.error td,p.error{background:#fde8e8;color:#8a1020}tr.error td:first-child{font-weight:600}
pre{margin:0;white-space:pre-wrap;font-size:12px;max-width:70em}details summary{cursor:pointer}
`;

export function formatHtml(a: Analysis): string {
  const parts: string[] = [];
  parts.push(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>f2b-scan report ${esc(a.generatedAt)}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<h1>f2b-scan report</h1><p>Generated ${esc(a.generatedAt)}${a.since ? `, since ${esc(a.since)}` : ''}${a.until ? `, until ${esc(a.until)}` : ''}.</p>`,
    `<table class="totals" id="totals"><tr><th>lines read</th><th>failures</th><th>addresses</th><th>would ban</th></tr>`,
    `<tr><td class="n" data-total="lines">${a.totals.lines}</td><td class="n" data-total="matches">${a.totals.matches}</td>` +
      `<td class="n" data-total="addresses">${a.totals.addresses}</td><td class="n ${a.totals.wouldBan ? 'ban' : 'none'}" data-total="wouldBan">${a.totals.wouldBan}</td></tr></table>`,
  );
  if (a.errors.length) {
    parts.push(
      `<h2>Not analysed</h2><table class="errors"><tr><th>jail</th><th>why</th></tr>`,
      ...a.errors.map((e) => `<tr class="error" data-jail="${esc(e.jail)}"><td>${esc(e.jail)}</td><td>${esc(e.message)}</td></tr>`),
      '</table>',
    );
  }
  for (const j of a.jails) parts.push(jailSection(j));
  parts.push('</body></html>\n');
  return parts.join('\n');
}

function jailSection(j: JailReport): string {
  const id = `jail-${j.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const rows = j.addresses
    .map(
      (r) =>
        `<tr data-ip="${esc(r.ip)}"><td>${esc(r.ip)}</td><td class="n">${r.failures}</td><td>${esc(r.firstSeen)}</td><td>${esc(r.lastSeen)}</td>` +
        `<td class="${r.wouldBanAt ? 'ban' : ''}">${r.wouldBanAt ? esc(r.wouldBanAt) : '—'}</td>` +
        `<td><details><summary>${r.lines.length} line${r.lines.length === 1 ? '' : 's'}</summary><pre>${esc(r.lines.join('\n'))}</pre></details></td></tr>`,
    )
    .join('\n');
  const bans = j.wouldBan.map((b) => `<li data-ip="${esc(b.ip)}"><b>${esc(b.ip)}</b> at ${esc(b.at)} (${b.failures} failures)</li>`).join('');
  return [
    `<section class="jail" id="${id}" data-jail="${esc(j.name)}">`,
    `<h2>${esc(j.name)}</h2>`,
    `<p>Rule <code>${esc(j.filter)}</code>; maxretry ${j.maxretry} in ${j.findtime} s; ${j.lines} lines, <span data-matches>${j.matches}</span> failures.</p>`,
    ...j.errors.map((e) => `<p class="error">Not analysed: ${esc(e)}</p>`),
    timelineSvg(j),
    `<h3>Would be banned (${j.wouldBan.length})</h3>`,
    bans ? `<ul class="would-ban">${bans}</ul>` : '<p>Nobody.</p>',
    `<h3>Top addresses</h3>`,
    j.addresses.length
      ? `<table class="addresses"><tr><th>address</th><th>failures</th><th>first seen</th><th>last seen</th><th>would ban at</th><th>lines</th></tr>\n${rows}</table>`
      : '<p>No failures.</p>',
    `</section>`,
  ].join('\n');
}

/** Round steps for a count axis: 1, 2, 5, 10, 20, 50, ... */
function niceStep(max: number, ticks: number): number {
  const raw = Math.max(1, max / ticks);
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

/** A bucket boundary as people read it: UTC date and time, seconds only when buckets are shorter than a minute. */
function axisTime(t: number, bucketSeconds: number): string {
  const s = new Date(t * 1000).toISOString();
  return `${s.slice(0, 10)} ${bucketSeconds < 60 ? s.slice(11, 19) : s.slice(11, 16)}`;
}

function bucketWords(s: number): string {
  if (s % 86400 === 0) return `${s / 86400} day${s === 86400 ? '' : 's'}`;
  if (s % 3600 === 0) return `${s / 3600} hour${s === 3600 ? '' : 's'}`;
  if (s % 60 === 0) return `${s / 60} minute${s === 60 ? '' : 's'}`;
  return `${s} second${s === 1 ? '' : 's'}`;
}

/**
 * Failures per time bucket as bars over a count axis: ticks at round numbers up to the
 * busiest bucket, bucket boundaries in UTC under the bars (the first's start, the last's end,
 * one between), a neutral mark for an empty bucket. Bars keep a sane width when there are few.
 */
function timelineSvg(j: JailReport): string {
  if (j.timeline.length === 0) return '<p class="no-timeline">No failures to chart.</p>';
  const W = 760;
  const H = 220;
  const left = 56;
  const right = 16;
  const top = 16;
  const bottom = 44;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const max = Math.max(...j.timeline.map((b) => b.count));
  const step = niceStep(max, 4);
  const yMax = Math.ceil(max / step) * step;
  const y = (v: number) => top + plotH - (plotH * v) / yMax;
  const parts: string[] = [];
  for (let v = 0; v <= yMax; v += step) {
    parts.push(`<line class="grid" x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`);
    parts.push(`<text class="y-tick" x="${left - 6}" y="${(y(v) + 3.5).toFixed(1)}" text-anchor="end" data-value="${v}">${v}</text>`);
  }
  parts.push(`<text class="y-title" transform="translate(14 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">failures</text>`);
  const n = j.timeline.length;
  const slot = plotW / n;
  const barW = Math.max(1, Math.min(slot * 0.85, 48));
  j.timeline.forEach((b, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    const title = `<title>${esc(axisTime(Date.parse(b.start) / 1000, j.bucketSeconds))} UTC: ${b.count}</title>`;
    if (b.count === 0) {
      parts.push(`<rect class="bar zero" x="${x.toFixed(1)}" y="${(top + plotH - 1).toFixed(1)}" width="${barW.toFixed(1)}" height="1" data-count="0" data-start="${esc(b.start)}">${title}</rect>`);
      return;
    }
    const h = (plotH * b.count) / yMax;
    parts.push(`<rect class="bar" x="${x.toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" data-count="${b.count}" data-start="${esc(b.start)}">${title}</rect>`);
  });
  parts.push(`<line class="axis" x1="${left}" x2="${W - right}" y1="${top + plotH}" y2="${top + plotH}"/><line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}"/>`);
  // Boundaries: the first bucket's start, the last one's end (never the same), and the middle one.
  const start0 = Date.parse(j.timeline[0]!.start) / 1000;
  const ticks: [number, number, string][] = [[0, start0, 'start']];
  if (n > 2) ticks.push([Math.floor(n / 2), start0 + Math.floor(n / 2) * j.bucketSeconds, 'middle']);
  ticks.push([n, start0 + n * j.bucketSeconds, 'end']);
  for (const [i, t, anchor] of ticks) {
    const x = left + i * slot;
    parts.push(`<line class="x-mark" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${top + plotH}" y2="${top + plotH + 4}"/>`);
    parts.push(`<text class="x-tick" x="${x.toFixed(1)}" y="${top + plotH + 17}" text-anchor="${anchor}" data-time="${t}">${esc(axisTime(t, j.bucketSeconds))}</text>`);
  }
  parts.push(`<text class="x-title" x="${left + plotW / 2}" y="${H - 6}" text-anchor="middle">UTC, ${bucketWords(j.bucketSeconds)} per bar</text>`);
  return (
    `<svg class="timeline" role="img" aria-label="failures over time in ${esc(j.name)}, ${bucketWords(j.bucketSeconds)} per bar, at most ${max}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" data-bucket-seconds="${j.bucketSeconds}" data-max="${max}">` +
    parts.join('') +
    '</svg>'
  );
}
