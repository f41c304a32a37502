// Turns documentation snippets into checked code. A statement whose line ends in a
// value comment (`expr // 0.155`, `expr // [0.5, 0.75757575]`, or such a comment alone on
// the next line) is rewritten to `__check(expr, "0.155", where)`; `__check` compares the
// printed value with the comment at the precision it is written in. Used by
// scripts/check-readme.mjs (README.md) and test/doc-examples.test.ts (TSDoc @example).

const NUMBER = /^-?(?:Infinity|NaN|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/i;
// `true`, `false`, or a double-quoted string without escapes: compared exactly.
const LITERAL = /^(?:true|false|"[^"\\]*")/;
const DECLARATION = /^(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=/;
const NOT_AN_EXPRESSION = /^(?:(?:const|let|var|import|export|class|function|interface|type|if|for|while|return|throw)\b|[{}@])/;

/**
 * The expected value at the start of a comment's text (a number or a nested array of
 * numbers), or `null` when the comment is prose. Each number carries the tolerance its
 * written precision implies: half a unit of its last written decimal (`0.155` → ±5e-4,
 * `2.63401289e-04` → ±5e-13), plus half a float32 ulp of the value, since results are
 * float32 numbers (or means of them) and cannot be closer than that to a decimal; a number
 * written without a decimal point (`0`, `25`) must match to 1e-6 (Keras's assertAllClose
 * default). `true`, `false` and a double-quoted string (`"active"`) must match exactly.
 * What follows the value must be empty or a parenthesized remark.
 */
export function parseExpected(comment) {
  const text = comment.trim();
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = () => {
    skip();
    if (text[i] === "[") {
      i++;
      const items = [];
      skip();
      if (text[i] === "]") {
        i++;
        return items;
      }
      for (;;) {
        const item = value();
        if (item === null) return null;
        items.push(item);
        skip();
        if (text[i] === ",") {
          i++;
          skip();
          if (text[i] === "]") {
            i++;
            return items;
          }
          continue;
        }
        if (text[i] === "]") {
          i++;
          return items;
        }
        return null;
      }
    }
    const literal = LITERAL.exec(text.slice(i));
    if (literal) {
      i += literal[0].length;
      return { value: JSON.parse(literal[0]), tol: 0, token: literal[0] };
    }
    const m = NUMBER.exec(text.slice(i));
    if (!m) return null;
    i += m[0].length;
    return numberWithTolerance(m[0]);
  };
  const parsed = value();
  if (parsed === null) return null;
  const rest = text.slice(i).trim();
  if (rest !== "" && !rest.startsWith("(")) return null;
  return { text: text.slice(0, i), value: parsed };
}

function numberWithTolerance(token) {
  const value = Number(token);
  if (!Number.isFinite(value)) return { value, tol: 0, token };
  const [mantissa, exponent = "0"] = token.toLowerCase().split("e");
  const dot = mantissa.indexOf(".");
  if (dot < 0 && exponent === "0") return { value, tol: 1e-6 * Math.max(1, Math.abs(value)), token };
  const decimals = (dot < 0 ? 0 : mantissa.length - dot - 1) - Number(exponent);
  // Half a unit of the last written digit, half a float32 ulp, and the rounding of the decimal itself.
  return { value, tol: 0.5 * 10 ** -decimals * (1 + 1e-9) + halfUlpFloat32(value) + Math.abs(value) * 1e-15, token };
}

function halfUlpFloat32(x) {
  const a = Math.abs(x);
  if (a === 0) return 0;
  return 2 ** (Math.max(Math.floor(Math.log2(a)), -126) - 24);
}

/** Plain nested arrays of what a snippet printed: Tensors through toArray(), typed arrays to arrays. */
export function plainValue(x) {
  if (x !== null && typeof x === "object" && typeof x.toArray === "function") return plainValue(x.toArray());
  if (ArrayBuffer.isView(x)) return Array.from(x);
  if (Array.isArray(x)) return x.map(plainValue);
  return x;
}

/** `null` when `actual` matches `expected` (from parseExpected), else what differs. */
export function compareValue(actual, expected, path = "") {
  const got = plainValue(actual);
  if (Array.isArray(expected)) {
    if (!Array.isArray(got)) return `${path || "value"}: expected an array of ${expected.length}, got ${describe(got)}`;
    if (got.length !== expected.length) return `${path || "value"}: expected ${expected.length} entries, got ${got.length}`;
    for (let k = 0; k < expected.length; k++) {
      const diff = compareValue(got[k], expected[k], `${path}[${k}]`);
      if (diff) return diff;
    }
    return null;
  }
  if (typeof expected.value !== "number") {
    return got === expected.value ? null : `${path || "value"}: expected ${expected.token}, got ${describe(got)}`;
  }
  if (typeof got !== "number") return `${path || "value"}: expected ${expected.token}, got ${describe(got)}`;
  if (Number.isNaN(expected.value) ? Number.isNaN(got) : Math.abs(got - expected.value) <= expected.tol) return null;
  if (expected.value === got) return null; // ±Infinity
  return `${path || "value"}: expected ${expected.token} (±${expected.tol.toPrecision(2)}), got ${got}`;
}

function describe(x) {
  if (Array.isArray(x)) return `[${x.map(describe).join(", ")}]`;
  if (typeof x === "string") return JSON.stringify(x);
  return typeof x === "number" ? String(x) : `${typeof x} ${String(x)}`;
}

/** Split a line into code and its trailing `//` comment, outside strings. */
export function splitComment(line) {
  let quote = null;
  for (let k = 0; k < line.length; k++) {
    const c = line[k];
    if (quote) {
      if (c === "\\") k++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "/" && line[k + 1] === "/") return { code: line.slice(0, k), comment: line.slice(k + 2) };
  }
  return { code: line, comment: null };
}

function depthChange(code) {
  let depth = 0;
  let quote = null;
  for (let k = 0; k < code.length; k++) {
    const c = code[k];
    if (quote) {
      if (c === "\\") k++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
  }
  return depth;
}

/**
 * Rewrite snippet lines so that every statement with a value comment is checked.
 * `where(lineIndex)` names a line for messages. Returns the code and the number of checks.
 */
export function instrument(lines, where) {
  const out = [];
  let checks = 0;
  let current = null; // { start, code: string[], depth, expected }
  let last = null; // the statement that ended on the previous line, still open for a value comment
  const finish = (stmt) => {
    const body = stmt.code.join("\n");
    if (!stmt.expected) {
      out.push(...stmt.code);
      return;
    }
    checks++;
    const label = JSON.stringify(where(stmt.start));
    const expectedText = JSON.stringify(stmt.expected.text);
    const first = stmt.code[0].trim();
    const declared = DECLARATION.exec(first);
    if (declared) {
      const lastLine = stmt.code.length - 1;
      const code = stmt.code.slice();
      code[lastLine] = `${code[lastLine].replace(/;?\s*$/, ";")} __check(${declared[1]}, ${expectedText}, ${label});`;
      out.push(...code);
    } else if (NOT_AN_EXPRESSION.test(first)) {
      throw new Error(`${where(stmt.start)}: a value comment follows a statement that is not an expression: ${first}`);
    } else {
      const expr = body.replace(/;\s*$/, "");
      const wrapped = `__check((${expr}), ${expectedText}, ${label});`.split("\n");
      out.push(...wrapped);
    }
  };
  for (let k = 0; k < lines.length; k++) {
    const { code, comment } = splitComment(lines[k]);
    const expected = comment === null ? null : parseExpected(comment);
    if (code.trim() === "") {
      // A value comment alone on a line belongs to the statement just before it.
      if (expected && last && !last.expected) {
        last.expected = expected;
        continue;
      }
      if (last) {
        finish(last);
        last = null;
      }
      (current ? current.code : out).push(lines[k]);
      continue;
    }
    if (last) {
      finish(last);
      last = null;
    }
    if (!current) current = { start: k, code: [], depth: 0, expected: null };
    current.code.push(code.replace(/\s+$/, ""));
    current.depth += depthChange(code);
    if (expected) current.expected = expected;
    if (current.depth <= 0) {
      last = current;
      current = null;
    }
  }
  if (current) throw new Error(`${where(current.start)}: unbalanced brackets in snippet`);
  if (last) finish(last);
  return { code: out.join("\n"), checks };
}

/** The `__check` of instrumented snippets: throws when `actual` is not what the comment says. */
export function check(actual, expectedText, where) {
  const expected = parseExpected(expectedText);
  if (!expected) throw new Error(`${where}: cannot read the value comment ${JSON.stringify(expectedText)}`);
  const diff = compareValue(actual, expected.value);
  if (diff) throw new Error(`${where}: ${diff} (comment: // ${expectedText})`);
}
