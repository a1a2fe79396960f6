// "Did you mean ...?" for a mistyped command. scan is the default command, so yargs'
// own recommendCommands() never sees a typo: it arrives as an unknown argument of scan.

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The command a yargs "Unknown arguments: a, b" message probably meant, or null. Only a word
 * the user typed as a bare word (not an option's name) can be a mistyped command.
 */
export function suggestCommand(message: string, names: string[], argv: string[]): { word: string; near: string } | null {
  const list = /^Unknown arguments?: (.+)$/.exec(message)?.[1]?.split(', ') ?? [];
  const word = list.find((w) => argv.includes(w));
  if (!word) return null;
  let best: string | null = null;
  let bestDistance = 3;
  for (const n of names) {
    const d = editDistance(word, n);
    if (d < bestDistance) {
      best = n;
      bestDistance = d;
    }
  }
  return best ? { word, near: best } : null;
}
