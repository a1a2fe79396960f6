// JUnit XML for CI systems: one testsuite per jail, one failing testcase per address
// that would be banned (its matched lines in the failure body), one passing testcase per
// jail where nobody would be, and an <error> testcase for each reason a jail could not be
// analysed (a refused rule, a log missing or unreadable): never a pass that hides it.

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
  let errors = 0;
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
    for (const e of j.errors) {
      cases.push(
        `    <testcase classname="f2b-scan.${xml(j.name)}" name="analysis of ${xml(j.name)}">\n` +
          `      <error message="${xml(`${j.name} could not be analysed: ${e}`)}" type="not-analysed">${xml(e)}</error>\n` +
          `    </testcase>`,
      );
    }
    if (j.wouldBan.length === 0 && j.errors.length === 0) {
      cases.push(`    <testcase classname="f2b-scan.${xml(j.name)}" name="no address would be banned"/>`);
    }
    tests += cases.length;
    failures += j.wouldBan.length;
    errors += j.errors.length;
    suites.push(
      `  <testsuite name="${xml(j.name)}" tests="${cases.length}" failures="${j.wouldBan.length}" errors="${j.errors.length}" skipped="0" timestamp="${a.generatedAt}">\n` +
        cases.join('\n') +
        `\n  </testsuite>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="f2b-scan" tests="${tests}" failures="${failures}" errors="${errors}">\n` +
    suites.join('\n') +
    `\n</testsuites>\n`
  );
}
