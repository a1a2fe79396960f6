// JUnit XML for CI systems: one testsuite per jail, one failing testcase per address
// that would be banned (its matched lines in the failure body), and one passing
// testcase per jail where nobody would be.

import type { Analysis } from './analysis.ts';

function xml(s: string): string {
  // Control characters are not allowed in XML 1.0 at all; log text may carry them.
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function formatJunit(a: Analysis): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const j of a.jails) {
    const cases: string[] = [];
    const byIp = new Map(j.addresses.map((r) => [r.ip, r]));
    for (const b of j.wouldBan) {
      const lines = byIp.get(b.ip)?.lines ?? [];
      cases.push(
        `    <testcase classname="f2b-scan.${xml(j.name)}" name="${xml(b.ip)}">\n` +
          `      <failure message="${xml(`${b.ip} would be banned in ${j.name}: ${b.failures} failures, first ban at ${b.at}`)}" type="ban">${xml(lines.join('\n'))}</failure>\n` +
          `    </testcase>`,
      );
    }
    if (j.wouldBan.length === 0) {
      cases.push(`    <testcase classname="f2b-scan.${xml(j.name)}" name="no address would be banned"/>`);
    }
    tests += cases.length;
    failures += j.wouldBan.length;
    suites.push(
      `  <testsuite name="${xml(j.name)}" tests="${cases.length}" failures="${j.wouldBan.length}" errors="0" skipped="0" timestamp="${a.generatedAt}">\n` +
        cases.join('\n') +
        `\n  </testsuite>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="f2b-scan" tests="${tests}" failures="${failures}" errors="0">\n` +
    suites.join('\n') +
    `\n</testsuites>\n`
  );
}
