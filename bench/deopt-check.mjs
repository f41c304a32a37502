// npm run bench:deopt [-- options]
//
// Deoptimization self-test (issue 10): does any losskit function lose its optimized code
// once the loss functions are warm, in particular after a full GC?
//
// The script starts itself again as a child process with V8's tracing on
// (`--allow-natives-syntax --expose-gc --trace-deopt-verbose --trace-opt --trace-file-names`).
// The child calls every loss of the benchmark's workloads (value and valueAndGrad, float64
// and float32: a user mixing dtypes) at a small batch: a warm-up of many calls, then rounds
// of `gc()` followed by one call of each loss, then a last round without GC. It prints
// markers into V8's own trace stream (`%DebugPrint`), so each trace line is attributed to the
// phase and the call it happened in. The parent parses the trace and reports, for functions
// of the losskit build only:
//
// - code thrown away by the GC ("[marking dependent code … reason: weak objects]" and
//   other dependency reasons): the optimized code embedded an object that died;
// - deoptimizations ("bailouts") after the warm-up, with their reason and their source
//   position in src/ (through dist/index.js.map);
// - functions compiled again after the warm-up (the price of the above);
// - the first call after each GC against the second call of the same loss.
//
// Exit status 1 when a losskit function loses optimized code after the warm-up (0 when none
// does), so the check can gate CI. Options:
//
//   --lib FILE      the losskit build (default dist/index.js; its .map resolves positions)
//   --only W1,W5g   only these workloads (default: all of bench/workloads.mjs)
//   --rounds N      GC rounds after the warm-up (default 6)
//   --warmup N      warm-up calls of each loss (default 40)
//   --batch N       batch of the calls (default 64; W17 uses N/16 sequences, W18 N/4 embeddings)
//   --raw FILE      also write the child's full trace to FILE
//   --json FILE     write the findings as JSON

import { spawn } from "node:child_process";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

function parseArgs(argv) {
  const o = { lib: join(root, "dist", "index.js"), only: [], rounds: 6, warmup: 40, batch: 64, raw: null, json: null, child: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = (name) => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
      return n;
    };
    if (a === "--child") o.child = true;
    else if (a.startsWith("--lib")) o.lib = resolve(value());
    else if (a.startsWith("--only")) o.only = value().split(",").filter(Boolean);
    else if (a.startsWith("--rounds")) o.rounds = int("--rounds");
    else if (a.startsWith("--warmup")) o.warmup = int("--warmup");
    else if (a.startsWith("--batch")) o.batch = int("--batch");
    else if (a.startsWith("--raw")) o.raw = value();
    else if (a.startsWith("--json")) o.json = value();
    else if (a === "--help" || a === "-h") {
      console.log("usage: node bench/deopt-check.mjs [--lib FILE] [--only W1,W5g] [--rounds N] [--warmup N] [--batch N] [--raw FILE] [--json FILE]");
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  return o;
}

// ---- child: the calls ----------------------------------------------------------------------

async function child(o) {
  const { selectWorkloads, losskitValue, losskitValueAndGrad, toFloat64 } = await import("./workloads.mjs");
  const lk = await import(pathToFileURL(o.lib).href);
  // %DebugPrint writes through V8's own stdout stream, in order with the trace lines.
  // Built at run time so that this file also parses without --allow-natives-syntax.
  const mark = new Function("s", "%DebugPrint(s)");
  const gc = globalThis.gc;
  const calls = [];
  for (const w of selectWorkloads(o.only)) {
    if (typeof lk[w.className] !== "function") continue;
    const d = w.data(o.batch);
    const d64 = toFloat64(d);
    for (const [dtype, data] of [["float64", d64], ["float32", d]]) {
      const run = w.kind === "value" ? losskitValue(w, lk, data, dtype) : losskitValueAndGrad(w, lk, data, dtype).run;
      calls.push({ id: `${w.id} ${dtype}`, run });
    }
  }
  const times = Object.fromEntries(calls.map((c) => [c.id, { afterGc: [], again: [] }]));
  let sink;
  mark("@@phase warmup");
  for (let i = 0; i < o.warmup; i++) for (const c of calls) sink = c.run();
  for (let r = 0; r < o.rounds; r++) {
    mark(`@@phase gc ${r}`);
    gc();
    mark(`@@phase after-gc ${r}`);
    for (const c of calls) {
      mark(`@@call ${c.id}`);
      let t0 = performance.now();
      sink = c.run();
      times[c.id].afterGc.push(performance.now() - t0);
      t0 = performance.now();
      sink = c.run();
      times[c.id].again.push(performance.now() - t0);
    }
  }
  mark("@@phase no-gc");
  for (const c of calls) {
    mark(`@@call ${c.id}`);
    sink = c.run();
  }
  mark("@@phase end");
  // Timings go to stderr: stdout is V8's trace, buffered separately from Node's writes.
  process.stderr.write(`@@json ${JSON.stringify({ calls: calls.map((c) => c.id), times, sink: typeof sink })}\n`);
}

// ---- parent: run the child, parse its trace ----------------------------------------------------

function runChild(o) {
  const args = [
    "--allow-natives-syntax",
    "--expose-gc",
    "--trace-deopt-verbose",
    "--trace-opt",
    "--trace-file-names",
    fileURLToPath(import.meta.url),
    "--child",
    "--lib",
    o.lib,
    "--rounds",
    String(o.rounds),
    "--warmup",
    String(o.warmup),
    "--batch",
    String(o.batch),
  ];
  if (o.only.length) args.push("--only", o.only.join(","));
  return new Promise((resolvePromise, reject) => {
    const p = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out = [], err = [];
    p.stdout.on("data", (b) => out.push(b));
    p.stderr.on("data", (b) => err.push(b));
    p.on("error", reject);
    p.on("close", (code) => {
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      if (code !== 0) reject(new Error(`child exited with ${code}:\n${stderr.slice(-2000)}`));
      else resolvePromise({ stdout, stderr });
    });
  });
}

const RE = {
  marker: /(?:#|")@@([^"\n]*)"?\s*$/,
  bailout: /^\[bailout \(kind: ([^,]+), reason: (.*?)\): begin\. deoptimizing 0x[0-9a-f]+ <JSFunction (.*?) ?<(file:[^>]+)> \(sfi = (0x[0-9a-f]+)\)>/,
  position: /^\s*;;; deoptimize at <(file:[^>]+):(\d+):(\d+)>/,
  marking: /^\[marking dependent code 0x[0-9a-f]+ <Code (\w+)> \((0x[0-9a-f]+) <SharedFunctionInfo ?(.*?)>\) \(opt id \d+\) for deoptimization, reason: (.*)\]/,
  compiling: /^\[compiling method 0x[0-9a-f]+ <JSFunction (.*?) ?<(file:[^>]+)> \(sfi = (0x[0-9a-f]+)\)> \(target (\w+)\)( OSR)?/,
};

/** V8 prints the same address zero-padded in some lines and not in others. */
const addr = (hex) => `0x${hex.slice(2).replace(/^0+(?=.)/, "")}`;

/** Events of the trace, each with the phase and the call it happened in. */
export function parseTrace(text) {
  const events = [];
  const sfiFile = new Map();
  let phase = "setup", call = null, last = null;
  for (const line of text.split("\n")) {
    let m;
    if ((m = RE.marker.exec(line)) && line.startsWith("DebugPrint")) {
      const [kind, ...rest] = m[1].split(" ");
      if (kind === "phase") {
        phase = rest.join(" ");
        call = null;
      } else if (kind === "call") call = rest.join(" ");
      last = null;
    } else if ((m = RE.bailout.exec(line))) {
      last = { type: "deopt", kind: m[1], reason: m[2], name: m[3] || "(anonymous)", file: m[4], sfi: addr(m[5]), phase, call };
      sfiFile.set(last.sfi, m[4]);
      events.push(last);
    } else if ((m = RE.position.exec(line)) && last && last.type === "deopt" && !last.position) {
      last.position = { file: m[1], line: Number(m[2]), column: Number(m[3]) };
    } else if ((m = RE.marking.exec(line))) {
      events.push({ type: "discarded", tier: m[1], sfi: addr(m[2]), name: m[3] || "(anonymous)", reason: m[4], phase, call });
      last = null;
    } else if ((m = RE.compiling.exec(line))) {
      events.push({ type: "compile", name: m[1] || "(anonymous)", file: m[2], sfi: addr(m[3]), tier: m[4], osr: Boolean(m[5]), phase, call });
      sfiFile.set(addr(m[3]), m[2]);
      last = null;
    }
  }
  for (const e of events) if (!e.file) e.file = sfiFile.get(e.sfi);
  return events;
}

function loadSourceMap(lib) {
  const mapFile = `${lib}.map`;
  if (!existsSync(mapFile)) return null;
  try {
    return new SourceMap(JSON.parse(readFileSync(mapFile, "utf8")));
  } catch {
    return null;
  }
}

function sourcePosition(sm, pos) {
  if (!pos) return "";
  if (sm) {
    const e = sm.findEntry(pos.line - 1, pos.column - 1);
    if (e && e.originalSource) {
      const src = resolve(dirname(fileURLToPath(pos.file)), e.originalSource);
      return `${relative(root, src)}:${e.originalLine + 1}:${e.originalColumn + 1}`;
    }
  }
  return `${relative(root, fileURLToPath(pos.file))}:${pos.line}:${pos.column}`;
}

const steady = (e) => e.phase !== "setup" && e.phase !== "warmup";

function group(list, key) {
  const m = new Map();
  for (const x of list) {
    const k = key(x);
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(x);
  }
  return m;
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

function report(events, timing, o, sm) {
  const libUrl = pathToFileURL(o.lib).href;
  const ours = events.filter((e) => e.file === libUrl);
  const lines = [];
  const say = (s = "") => lines.push(s);
  const callsOf = (list) => [...new Set(list.map((e) => e.call).filter(Boolean))];
  const fmtCalls = (c) => (c.length > 6 ? `${c.slice(0, 6).join(", ")} … (${c.length} calls)` : c.join(", ") || "–");

  say(`losskit deopt check: ${relative(root, o.lib)}, ${timing.calls.length} calls (${timing.calls.length / 2} workloads × float64, float32), ${o.warmup} warm-up calls each, ${o.rounds} GC rounds, batch ${o.batch}; Node ${process.version}`);
  say();

  const warmDeopts = ours.filter((e) => e.type === "deopt" && !steady(e));
  say(`Warm-up: ${warmDeopts.length} deopts of losskit functions while type feedback settles (expected; by reason: ${[...group(warmDeopts, (e) => e.reason)].map(([r, l]) => `${r} ${l.length}`).join(", ") || "none"}).`);
  say();

  // 1. Optimized code thrown away by a GC (or another dependency change) after the warm-up.
  const discarded = ours.filter((e) => e.type === "discarded" && steady(e));
  const recompiled = ours.filter((e) => e.type === "compile" && steady(e));
  say(`1. Optimized code of losskit functions discarded after the warm-up: ${discarded.length}`);
  const byDiscard = group(discarded, (e) => `${e.name}\u0000${e.reason}\u0000${e.sfi}`);
  // A function's name is not unique (every loss has a "forward"): where one of its deopts
  // happened, at any time, tells which one it is.
  const whereOf = (sfi) => {
    const d = ours.find((x) => x.type === "deopt" && x.sfi === sfi && x.position);
    return d ? sourcePosition(sm, d.position).replace(/:\d+$/, "") : "";
  };
  const rows1 = [];
  for (const [, list] of byDiscard) {
    const e = list[0];
    const again = recompiled.filter((c) => c.sfi === e.sfi);
    rows1.push({ name: e.name, where: whereOf(e.sfi), reason: e.reason, times: list.length, inGc: list.filter((x) => x.phase.startsWith("gc")).length, recompiledIn: callsOf(again) });
  }
  rows1.sort((a, b) => b.times - a.times || a.name.localeCompare(b.name));
  for (const r of rows1) {
    say(`   - ${r.name}${r.where ? ` (${r.where})` : ""}: ${r.times}x "${r.reason}"${r.inGc === r.times ? " during gc()" : ` (${r.inGc} during gc())`}; compiled again in: ${fmtCalls(r.recompiledIn)}`);
  }
  say();

  // 2. Bailouts after the warm-up.
  const late = ours.filter((e) => e.type === "deopt" && steady(e));
  say(`2. Deopts of losskit functions after the warm-up: ${late.length}`);
  const rows2 = [];
  for (const [, list] of group(late, (e) => `${e.name}\u0000${e.reason}\u0000${sourcePosition(sm, e.position)}`)) {
    const e = list[0];
    rows2.push({ name: e.name, reason: e.reason, kind: e.kind, where: sourcePosition(sm, e.position), times: list.length, afterGcRound: list.filter((x) => x.phase.startsWith("after-gc")).length, calls: callsOf(list) });
  }
  rows2.sort((a, b) => b.times - a.times || a.name.localeCompare(b.name));
  for (const r of rows2) say(`   - ${r.name} at ${r.where || "?"}: ${r.times}x ${r.kind} "${r.reason}" in: ${fmtCalls(r.calls)}`);
  say();

  // 3. Recompilations after the warm-up (what the two above cost).
  say(`3. losskit functions compiled again by TurboFan after the warm-up: ${recompiled.length}`);
  for (const [name, list] of [...group(recompiled, (e) => e.name)].sort((a, b) => b[1].length - a[1].length)) {
    say(`   - ${name}: ${list.length}x (${list.filter((e) => e.osr).length} OSR) in: ${fmtCalls(callsOf(list))}`);
  }
  say();

  // 4. First call after a GC against the next call.
  const slow = [];
  for (const id of timing.calls) {
    const t = timing.times[id];
    const ratio = median(t.afterGc) / median(t.again);
    slow.push({ id, afterGc: median(t.afterGc), again: median(t.again), ratio });
  }
  slow.sort((a, b) => b.ratio - a.ratio);
  say("4. First call after gc() / the call right after it (median over rounds; traced run, so absolute times are inflated):");
  for (const s of slow.slice(0, 12)) say(`   - ${s.id}: ${s.ratio.toFixed(2)}x (${(s.afterGc * 1000).toFixed(0)} µs vs ${(s.again * 1000).toFixed(0)} µs)`);
  say();

  const failed = discarded.length > 0 || late.length > 0;
  say(failed ? "RESULT: losskit functions lose optimized code after the warm-up (see 1 and 2)." : "RESULT: no losskit function lost optimized code after the warm-up.");
  return { text: lines.join("\n"), failed, discarded: rows1, deopts: rows2, recompiled: recompiled.length, firstCallAfterGc: slow };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.child) return child(o);
  if (!existsSync(o.lib)) throw new Error(`${o.lib} not found (npm run build, or --lib)`);
  const t0 = Date.now();
  const { stdout, stderr } = await runChild(o);
  if (o.raw) writeFileSync(o.raw, stdout);
  const json = stderr.split("\n").find((l) => l.startsWith("@@json "));
  if (!json) throw new Error(`child printed no timings:\n${stderr.slice(-2000)}`);
  const timing = JSON.parse(json.slice(7));
  const events = parseTrace(stdout);
  const r = report(events, timing, o, loadSourceMap(o.lib));
  console.log(r.text);
  console.log(`(${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  if (o.json) writeFileSync(o.json, JSON.stringify({ lib: o.lib, discarded: r.discarded, deopts: r.deopts, recompiled: r.recompiled, firstCallAfterGc: r.firstCallAfterGc }, null, 2));
  process.exitCode = r.failed ? 1 : 0;
}

// Run when executed (node bench/x.mjs), not when imported (the tests import its helpers).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main().catch((e) => {
  const usage = e instanceof Error && /^(unknown |--\S+ (needs|must))/.test(e.message);
  console.error(usage ? `deopt-check: ${e.message}` : e instanceof Error ? e.stack : e);
  process.exit(2);
});
