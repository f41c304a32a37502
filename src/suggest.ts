/** Edit distance (Levenshtein), case-insensitive, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const previous = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** The known names closest to `name` (at most `limit`), best first. */
export function closestNames(name: string, known: Iterable<string>, limit = 3): string[] {
  const normalized = name.replace(/[_\s-]/g, "").toLowerCase();
  return [...new Set(known)]
    .map((candidate) => ({ candidate, distance: editDistance(normalized, candidate.replace(/[_\s-]/g, "")) }))
    .sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate))
    .slice(0, limit)
    .map((entry) => entry.candidate);
}
