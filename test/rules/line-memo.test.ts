// What the jails of one file share per line (rules/line-memo.ts) costs a file with one matcher
// nothing it does not need: a result only one matcher asks for is not kept, and a new line
// replaces what was kept for the line before without comparing texts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LineMemo, loadFilter, type DateReader } from '../../src/rules/index.ts';
import { matchJails } from '../../src/scan/match-groups.ts';

const reader: DateReader = { read: () => null };
const SLOT = 1;
/** A regex's result on `text` (any object will do: the memo keeps what it is given). */
const result = (text: string): RegExpExecArray => /.*/.exec(text)!;

test('a regex only one matcher runs keeps no result: nobody else would ask for it', () => {
  const memo = new LineMemo();
  memo.use(reader);
  memo.content.use(SLOT);
  assert.equal(memo.content.get(SLOT, 'Failed password'), undefined);
  memo.content.set(SLOT, result('Failed password'));
  assert.equal(memo.content.get(SLOT, 'Failed password'), undefined);
});

test('a regex two matchers run is run once per text', () => {
  const memo = new LineMemo();
  memo.content.use(SLOT);
  memo.content.use(SLOT);
  const r = result('Failed password');
  assert.equal(memo.content.get(SLOT, 'Failed password'), undefined);
  memo.content.set(SLOT, r);
  assert.equal(memo.content.get(SLOT, 'Failed' + ' password'), r, 'an equal text on the same line');
  assert.equal(memo.content.get(SLOT, 'Invalid user'), undefined, 'another text');
});

test('a new line starts afresh even when its text equals the line before', () => {
  const memo = new LineMemo();
  memo.content.use(SLOT);
  memo.content.use(SLOT);
  memo.content.get(SLOT, 'Failed password');
  memo.content.set(SLOT, result('Failed password'));
  memo.next();
  assert.equal(memo.content.get(SLOT, 'Failed password'), undefined);
});

test('the date is cut once for the matchers reading dates alike, and anew on each line', () => {
  const memo = new LineMemo();
  memo.use(reader);
  memo.use(reader);
  const line = 'Dec  1 10:00:00 host sshd[1]: Failed password';
  const a = memo.cut(reader, line, 0, 16);
  assert.equal(a, 'host sshd[1]: Failed password');
  assert.equal(memo.cut(reader, line, 0, 16), a);
  memo.next();
  assert.equal(memo.cut(reader, 'Dec  1 10:00:01 host sshd[2]: Failed password', 0, 16), 'host sshd[2]: Failed password');
});

test('a line every prefilter refuses is looked at again when a matcher asks (a Docker record read the long way)', () => {
  const memo = new LineMemo();
  const failed = /Failed/;
  const invalid = /Invalid/;
  memo.prefilters.add(failed, ['Failed']);
  memo.prefilters.add(invalid, ['Invalid']);
  memo.next();
  assert.equal(memo.prefilters.refuses('host sshd[1]: Accepted key'), true);
  assert.equal(memo.prefilters.test(failed, new Set(['Failed']), 'host sshd[1]: Failed password'), true);
  assert.equal(memo.prefilters.test(invalid, new Set(['Invalid']), 'host sshd[1]: Failed password'), false);
  assert.equal(memo.prefilters.refusedByAll, false);
  memo.next();
  assert.equal(memo.prefilters.refuses('host sshd[2]: Invalid user x'), false);
  assert.equal(memo.prefilters.test(invalid, new Set(['Invalid']), 'host sshd[2]: Invalid user x'), true);
});

test('one prefilter alone: a line passes or not without the word it holds', () => {
  const memo = new LineMemo();
  const failed = /Failed|Invalid/;
  memo.prefilters.add(failed, ['Failed', 'Invalid']);
  memo.next();
  assert.equal(memo.prefilters.refuses('host sshd[1]: Invalid user x'), false);
  assert.equal(memo.prefilters.test(failed, new Set(['Failed', 'Invalid']), 'host sshd[1]: Invalid user x'), true);
  memo.next();
  assert.equal(memo.prefilters.refuses('host sshd[1]: Accepted key'), true);
  assert.equal(memo.prefilters.test(failed, new Set(['Failed', 'Invalid']), 'host sshd[1]: Accepted key'), false);
  assert.equal(memo.prefilters.refusedByAll, true);
});

test('a jail twice on one file (one rule, other bantimes) reads like one jail: its one matcher takes no memo', () => {
  const searchDirs = [join(import.meta.dirname, '../../rules/filter.d')];
  const sshd = loadFilter({ name: 'sshd', options: {} }, { searchDirs });
  const normal = loadFilter({ name: 'sshd', options: { mode: 'normal' } }, { searchDirs });
  const ddos = loadFilter({ name: 'sshd', options: { mode: 'ddos' } }, { searchDirs });
  const matchersOn = (filters: typeof sshd[]): number => {
    let n = 0;
    const memo = new (class extends LineMemo {
      override use(r: DateReader): void {
        n++;
        super.use(r);
      }
    })();
    matchJails(filters, (f) => f, () => ({ key: 'utc', reader }), memo);
    return n;
  };
  assert.equal(matchersOn([sshd, normal]), 0);
  assert.equal(matchersOn([sshd, ddos]), 2);
});
