/**
 * "Did you mean" for unknown config keys. Keys are compared after folding case and dropping `_`/`-`,
 * so keepalived spellings (`virtual_router_id`, `router_id`) and case slips (`virtualRouterID`) map to the
 * camelCase key; small typos (`route_id`, `node`) are caught by edit distance.
 */

/** Lower-cases and drops `_`, `-` and spaces. */
export function foldKey(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, "");
}

/** Edit distance (insert, delete, substitute, swap two neighbours; each costs 1): `wieght` → `weight` is 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate to `key`, or undefined when none is close enough to be a plausible typo. */
export function closestKey(key: string, candidates: readonly string[]): string | undefined {
  const folded = foldKey(key);
  const exact = candidates.find((c) => foldKey(c) === folded);
  if (exact !== undefined) return exact;
  // Allow roughly one edit per four characters, at least one.
  const limit = Math.max(1, Math.floor(folded.length / 4));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(folded, foldKey(candidate));
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
