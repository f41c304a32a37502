/**
 * "Did you mean" hints for loss names and option names, with bounded work.
 *
 * A name is compared by its words (`binary_focal`, `binaryFocal` and `BinaryFocal` are all
 * `binary` + `focal`) and by edit distance on its normalized form (no `_`, `-`, spaces;
 * lower case). Names that lead to the same loss are one suggestion: the one written most
 * like the query (snake_case for a snake_case query, and so on).
 *
 * Every string is cut to {@link MAX_COMPARED_LENGTH} characters before it is compared, so a
 * hostile 1 MB name costs as much as a 64-character one, and {@link quoteName} abbreviates
 * what a message quotes.
 */

/** Characters of a name that take part in matching (the longest built-in name has 37). */
export const MAX_COMPARED_LENGTH = 64;

/** Names longer than this are not normalized for lookups (exact matches still work). */
export const MAX_NORMALIZED_LENGTH = 256;

/** Characters of a received name that an error message quotes. */
const MAX_QUOTED_LENGTH = 48;

/** `"mean_sqared_error"`, or `"aaaa…" (1000000 characters)` for a long string. */
export function quoteName(name: string): string {
  if (name.length <= MAX_QUOTED_LENGTH) return JSON.stringify(name);
  return `${JSON.stringify(name.slice(0, MAX_QUOTED_LENGTH) + "…")} (${name.length} characters)`;
}

/**
 * The lookup form of a name: without `_`, `-` and spaces, lower case
 * (`"Mean_Squared-Error"` → `"meansquarederror"`). Names over
 * {@link MAX_NORMALIZED_LENGTH} characters are returned as they are (no built-in name is
 * that long), which keeps a lookup of a hostile string O(1) beyond hashing.
 */
export function normalizeName(name: string): string {
  if (name.length > MAX_NORMALIZED_LENGTH) return name;
  return name.replace(/[_\s-]/g, "").toLowerCase();
}

/** Edit distance (Levenshtein), case-insensitive, for "did you mean" hints. Inputs are cut to {@link MAX_COMPARED_LENGTH}. */
export function editDistance(a: string, b: string): number {
  a = a.slice(0, MAX_COMPARED_LENGTH).toLowerCase();
  b = b.slice(0, MAX_COMPARED_LENGTH).toLowerCase();
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

/** `"binary_focal"`, `"binaryFocal"`, `"Binary focal"` → `["binary", "focal"]`; `"KLDivergence"` → `["kl", "divergence"]`. */
export function nameWords(name: string): string[] {
  return name
    .slice(0, MAX_COMPARED_LENGTH)
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

type Style = "snake" | "pascal" | "camel" | "lower" | "upper";

function styleOf(name: string): Style {
  if (/[_\s-]/.test(name)) return "snake";
  if (/^[A-Z]/.test(name)) return /[a-z]/.test(name) ? "pascal" : "upper";
  return /[A-Z]/.test(name) ? "camel" : "lower";
}

/** How well `candidate` matches the query; lower is better, `undefined` is no match. */
interface Match {
  /** 0: the query is a prefix of the name or each query word starts a word of the name; 1: close by edit distance. */
  tier: number;
  /** Within a tier: words of the name the query left out (tier 0), or the edit distance (tier 1). */
  score: number;
}

interface Query {
  normalized: string;
  words: string[];
  style: Style;
  raw: string;
}

function prepareQuery(name: string): Query {
  const raw = name.slice(0, MAX_COMPARED_LENGTH);
  // "loss" says nothing about which loss ("hinge_loss" is about hinge).
  const words = nameWords(raw);
  const telling = words.filter((word) => word !== "loss" && word !== "losses");
  return { raw, normalized: normalizeName(raw), words: telling.length ? telling : words, style: styleOf(raw) };
}

/** Query words each start a distinct word of the name (or are one typo away from one), in any order. */
function wordsMatch(queryWords: readonly string[], words: readonly string[], typos: boolean): boolean {
  if (queryWords.length === 0) return false;
  const used = new Array<boolean>(words.length).fill(false);
  for (const q of queryWords) {
    let found = -1;
    for (let k = 0; k < words.length && found < 0; k++) {
      if (used[k]) continue;
      const w = words[k]!;
      if (w.startsWith(q)) found = k;
      else if (typos && q.length >= 4 && (editDistance(q, w) <= 1 || editDistance(q, w.slice(0, q.length)) <= 1)) found = k;
    }
    if (found < 0) return false;
    used[found] = true;
  }
  return true;
}

function matchName(query: Query, candidate: string): Match | undefined {
  const normalized = normalizeName(candidate.slice(0, MAX_COMPARED_LENGTH));
  const words = nameWords(candidate);
  if (normalized === query.normalized) return { tier: 0, score: -1 };
  if ((query.normalized.length >= 3 && normalized.startsWith(query.normalized)) || wordsMatch(query.words, words, false)) {
    return { tier: 0, score: Math.max(0, words.length - query.words.length) };
  }
  // A typo or two: about one edit per four characters.
  const allowed = Math.max(1, Math.floor(query.normalized.length / 4));
  const distance = editDistance(query.normalized, normalized);
  if (distance <= allowed) return { tier: 1, score: distance };
  if (wordsMatch(query.words, words, true)) return { tier: 1, score: allowed + 1 };
  return undefined;
}

function compareMatches(a: Match, b: Match): number {
  return a.tier - b.tier || a.score - b.score;
}

/** Among names of one loss, the one written most like the query. */
function preferredSpelling(query: Query, a: string, b: string): number {
  const styleA = styleOf(a) === query.style ? 0 : 1;
  const styleB = styleOf(b) === query.style ? 0 : 1;
  return styleA - styleB || editDistance(query.raw, a) - editDistance(query.raw, b) || a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Suggestions for an unknown `name`, at most `limit`, best first, one per target: `candidates`
 * are `[name, target]` pairs (every name of a loss points to the same target, e.g. its class),
 * so `"sparse_crossentropy"` gives `sparse_categorical_crossentropy` once, not three spellings
 * of it. Prefix and word matches (`"focal"` → both focal losses) rank before typo matches
 * (`"mean_sqared_error"` → `mean_squared_error`); unrelated names are not suggested.
 */
export function suggestNames(name: string, candidates: Iterable<readonly [string, unknown]>, limit = 3): string[] {
  const query = prepareQuery(name);
  if (query.normalized.length === 0 || limit <= 0) return [];
  const best = new Map<unknown, { name: string; match: Match }>();
  for (const [candidate, target] of candidates) {
    const match = matchName(query, candidate);
    if (!match) continue;
    const key = target ?? candidate;
    const seen = best.get(key);
    if (!seen || compareMatches(match, seen.match) < 0 || (compareMatches(match, seen.match) === 0 && preferredSpelling(query, candidate, seen.name) < 0)) {
      best.set(key, { name: candidate, match });
    }
  }
  return [...best.values()]
    .sort((a, b) => compareMatches(a.match, b.match) || preferredSpelling(query, a.name, b.name))
    .slice(0, limit)
    .map((entry) => entry.name);
}

/**
 * The known names closest to `name` by edit distance (at most `limit`), best first: the
 * "did you mean" of option names, where the closest option is always worth showing. Kept
 * apart from {@link suggestNames} so that option checks do not pull the loss-name matcher
 * into a bundle.
 */
export function closestNames(name: string, known: Iterable<string>, limit = 3): string[] {
  const normalized = normalizeName(name.slice(0, MAX_COMPARED_LENGTH));
  return [...new Set(known)]
    .map((candidate) => ({ candidate, distance: editDistance(normalized, normalizeName(candidate)) }))
    .sort((x, y) => x.distance - y.distance || (x.candidate < y.candidate ? -1 : x.candidate > y.candidate ? 1 : 0))
    .slice(0, limit)
    .map((entry) => entry.candidate);
}

/**
 * The message for a loss identifier that names no loss: the identifier quoted (abbreviated
 * when long) and up to three suggestions.
 */
export function unknownLossMessage(name: string, candidates: Iterable<readonly [string, unknown]>): string {
  const hints = suggestNames(name, candidates, 3);
  const didYouMean = hints.length ? ` Did you mean ${hints.map((h) => JSON.stringify(h)).join(", ")}?` : "";
  return `Could not interpret loss identifier: ${quoteName(name)}.${didYouMean} (listLosses() gives every name)`;
}

/**
 * A hint for a sparse label that is not a class index: `-1` (or another negative integer)
 * is the usual "skip this position" marker, which `ignoreClass` handles. Empty otherwise.
 */
export function sparseLabelHint(label: number, ignoreClass: number | null): string {
  if (ignoreClass !== null || !Number.isInteger(label) || label >= 0) return "";
  return `; to leave positions labelled ${label} out of the loss, pass ignoreClass: ${label}`;
}
