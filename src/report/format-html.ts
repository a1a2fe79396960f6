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
th{background:#eee}td.n{text-align:right}.ban{color:#b00020;font-weight:600}
.totals td{font-size:1.2em}svg.timeline{background:#fff;border:1px solid #ddd}
svg.timeline rect{fill:#3b6ea5}svg.timeline text{font-size:10px;fill:#555}
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
      `<td class="n" data-total="addresses">${a.totals.addresses}</td><td class="n ban" data-total="wouldBan">${a.totals.wouldBan}</td></tr></table>`,
  );
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

/** A bar per time bucket, scaled to the busiest one; axis labels at both ends. */
function timelineSvg(j: JailReport): string {
  const W = 720;
  const H = 160;
  const pad = 24;
  if (j.timeline.length === 0) return '<p class="no-timeline">No failures to chart.</p>';
  const max = Math.max(...j.timeline.map((b) => b.count));
  const bw = (W - 2 * pad) / j.timeline.length;
  const bars = j.timeline
    .map((b, i) => {
      const h = max ? ((H - 2 * pad) * b.count) / max : 0;
      const x = pad + i * bw;
      return `<rect x="${x.toFixed(1)}" y="${(H - pad - h).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}" data-count="${b.count}" data-start="${esc(b.start)}"><title>${esc(b.start)}: ${b.count}</title></rect>`;
    })
    .join('');
  const first = j.timeline[0]!.start;
  const last = j.timeline[j.timeline.length - 1]!.start;
  return (
    `<svg class="timeline" role="img" aria-label="failures over time in ${esc(j.name)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" data-bucket-seconds="${j.bucketSeconds}">` +
    `<text x="${pad}" y="14">max ${max} per ${j.bucketSeconds} s</text>${bars}` +
    `<text x="${pad}" y="${H - 6}">${esc(first)}</text><text x="${W - pad}" y="${H - 6}" text-anchor="end">${esc(last)}</text></svg>`
  );
}
