/**
 * LossTracker against keras.metrics.Mean (reduction_metrics_test.py and the Mean
 * docstring), TrainingHistory (Keras's History and CSVLogger layouts), the SVG loss curves
 * and the sparkline. Expected values are Keras's or worked out by hand next to them.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, LossTracker, ShapeError, TrainingHistory, sparkline, tensor } from "../src/index";

describe("LossTracker: keras.metrics.Mean semantics", () => {
  it("Mean docstring: [1, 3, 5, 7] → 4; after reset, weights [1, 1, 0, 0] → 2 (also the TSDoc example)", () => {
    const m = new LossTracker();
    m.update([1, 3, 5, 7]);
    expect(m.result()).toBe(4);
    m.reset();
    m.update([1, 3, 5, 7], [1, 1, 0, 0]);
    expect(m.result()).toBe(2);
  });
  it("test_weighted_negative_weights: weights [-1, -1, 0, 0] → 2", () => {
    expect(new LossTracker().update([1, 3, 5, 7], [-1, -1, 0, 0]).result()).toBe(2);
  });
  it("test_weighted_nd: [[1, 3], [5, 7]] with weights [[1, 1], [1, 0]] → 3", () => {
    // Keras: values·w = [[1, 3], [5, 0]] → row means [2, 2.5] (total 4.5); weights → row means [1, 0.5] (count 1.5).
    const m = new LossTracker().update([[1, 3], [5, 7]], [[1, 1], [1, 0]]);
    expect(m.total).toBe(4.5);
    expect(m.count).toBe(1.5);
    expect(m.result()).toBe(3);
  });
  it("test_weighted_nd_broadcast: [[1, 3], [5, 7]] with weights [[1, 0]] → 3", () => {
    // weights broadcast to [[1, 0], [1, 0]]: values·w row means [0.5, 2.5] = 3, weight row means [0.5, 0.5] = 1.
    expect(new LossTracker().update([[1, 3], [5, 7]], [[1, 0]]).result()).toBe(3);
  });
  it("values with more axes than the weights are averaged over the extra axes first", () => {
    // [[1, 3], [5, 7]] with weights [1, 0]: row means [2, 6], weighted 2 · 1 + 6 · 0 = 2 over count 1.
    expect(new LossTracker().update([[1, 3], [5, 7]], [1, 0]).result()).toBe(2);
    // Unweighted rank 2: the mean of the row means (count = batch size 2): (2 + 6) / 2.
    const m = new LossTracker().update([[1, 3], [5, 7]]);
    expect([m.total, m.count, m.result()]).toEqual([8, 2, 4]);
    // A scalar weight for a vector of values: Keras averages the values first, then weighs: (4 · 2) / 2.
    const s = new LossTracker().update([1, 3, 5, 7], 2);
    expect([s.total, s.count]).toEqual([8, 2]);
    // [B, 1] weights against [B] values line up (squeeze_or_expand_to_same_rank).
    expect(new LossTracker().update([1, 3, 5, 7], [[1], [1], [0], [0]]).result()).toBe(2);
  });
  it("Keras's fit: update(batchLoss, batchSize) makes the epoch loss a mean over samples", () => {
    // Two batches of 32 and 16 samples with losses 0.5 and 1.0: (0.5 · 32 + 1.0 · 16) / 48 = 2/3, not 0.75.
    const m = new LossTracker("loss");
    m.update(0.5, 32);
    m.update(1.0, 16);
    expect(m.result()).toBeCloseTo(2 / 3, 15);
    // Scalars without weights count 1 each.
    expect(new LossTracker().update(0.5).update(1.0).result()).toBe(0.75);
  });
  it("result() is 0 before any update and after reset (divide_no_nan); typed arrays and Tensors work", () => {
    const m = new LossTracker();
    expect(m.result()).toBe(0);
    m.update(new Float32Array([2, 4]));
    m.update(tensor([6]));
    expect(m.result()).toBe(4);
    m.reset();
    expect([m.total, m.count, m.result()]).toEqual([0, 0, 0]);
    expect(new LossTracker().update([1, 2], [0, 0]).result()).toBe(0);
  });
  it("errors: weights that do not broadcast, bad names", () => {
    expect(() => new LossTracker().update([1, 2, 3], [1, 2])).toThrow(ShapeError);
    expect(() => new LossTracker().update(1, [1, 2])).toThrow(/sampleWeight has shape \[2\] but values have shape \[\]/);
    expect(() => new LossTracker("")).toThrow(ConfigError);
  });
});

/** Tags open and close in order; attributes are quoted. A small well-formedness check for the SVG. */
function expectWellFormedXml(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(xml))) {
    expect(xml.slice(last, m.index)).not.toMatch(/[<>]/);
    last = tag.lastIndex;
    const [, closing, name, attributes, selfClosing] = m;
    const names = [...attributes!.matchAll(/([\w:-]+)="/g)].map((a) => a[1]);
    expect(new Set(names).size, `duplicate attribute in <${name}${attributes}>`).toBe(names.length);
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(xml.slice(last).trim()).toBe("");
  expect(stack).toEqual([]);
}

/** The points of the first path of a group `<g class="…"><path d="M… L…"/>`. */
function pathPoints(svg: string, group: string): { x: number; y: number; move: boolean }[] {
  const m = new RegExp(`<g class="${group}"><path d="([^"]*)"`).exec(svg);
  if (!m) throw new Error(`no ${group} path`);
  return [...m[1]!.matchAll(/([ML])(-?[\d.]+) (-?[\d.]+)/g)].map((p) => ({ move: p[1] === "M", x: Number(p[2]), y: Number(p[3]) }));
}

describe("TrainingHistory", () => {
  const make = () => {
    const h = new TrainingHistory();
    h.recordEpoch({ loss: 0.9, valLoss: 1.0 });
    h.recordEpoch({ loss: 0.5, valLoss: 0.7 });
    h.recordEpoch({ loss: 0.3, valLoss: 0.8 });
    return h;
  };
  it("the TSDoc example: best epoch, Keras's CSVLogger layout and History.history", () => {
    const h = make();
    expect(h.best()).toEqual({ epoch: 1, monitor: "valLoss", value: 0.7 });
    expect(h.toCSV()).toBe("epoch,loss,val_loss\n0,0.9,1\n1,0.5,0.7\n2,0.3,0.8\n");
    expect(h.history).toEqual({ loss: [0.9, 0.5, 0.3], val_loss: [1, 0.7, 0.8] });
    expect(h.best("loss")).toEqual({ epoch: 2, monitor: "loss", value: 0.3 });
    expect(h.values("valLoss")).toEqual([1, 0.7, 0.8]);
  });
  it("batches are numbered within their epoch; CSV of batches; metrics sorted like CSVLogger; NA where missing", () => {
    const h = new TrainingHistory();
    h.recordBatch(0.9);
    h.recordBatch({ loss: 0.8 });
    h.recordEpoch({ loss: 0.85, valLoss: 0.9, accuracy: 0.5 });
    h.recordBatch(0.6);
    h.recordEpoch({ loss: 0.6 });
    expect(h.batches.map((b) => [b.epoch, b.batch])).toEqual([[0, 0], [0, 1], [1, 0]]);
    expect(h.toCSV()).toBe("epoch,accuracy,loss,val_loss\n0,0.5,0.85,0.9\n1,NA,0.6,NA\n");
    expect(h.toCSV({ batches: true })).toBe("epoch,batch,loss\n0,0,0.9\n0,1,0.8\n1,0,0.6\n");
    expect(h.best()).toEqual({ epoch: 0, monitor: "valLoss", value: 0.9 });
  });
  it("toJSON / fromJSON round trip through JSON text (NaN comes back as NaN)", () => {
    const h = make();
    h.recordBatch(0.2);
    h.recordEpoch({ loss: NaN, valLoss: 0.75 });
    const again = TrainingHistory.fromJSON(JSON.stringify(h));
    expect(again.epochs).toHaveLength(4);
    expect(again.values("loss")).toEqual([0.9, 0.5, 0.3, NaN]);
    expect(again.batches).toEqual([{ epoch: 3, batch: 0, loss: 0.2 }]);
    expect(again.toCSV()).toBe(h.toCSV());
    expect(h.toCSV().split("\n")[4]).toBe("3,NaN,0.75");
  });
  it("errors: non-numbers, reserved keys", () => {
    const h = new TrainingHistory();
    expect(() => h.recordEpoch({ loss: "0.5" as never })).toThrow(/loss must be a number/);
    expect(() => h.recordEpoch({ epoch: 3 } as never)).toThrow(/"epoch" is set by the history/);
    expect(() => h.recordBatch(null as never)).toThrow(ConfigError);
    expect(() => TrainingHistory.fromJSON({} as never)).toThrow(ConfigError);
  });
});

describe("TrainingHistory.toSVG", () => {
  const h = new TrainingHistory();
  const train = [2.0, 1.2, 0.8, 0.6, 0.5, 0.45];
  const val = [2.1, 1.4, 1.0, 0.9, 0.95, 1.1];
  train.forEach((loss, e) => {
    for (let b = 0; b < 4; b++) h.recordBatch(loss * (1.2 - b * 0.1));
    h.recordEpoch({ loss, valLoss: val[e] });
  });
  const svg = h.toSVG();

  it("is a well-formed standalone SVG document with a title, axes, legend and both curves", () => {
    expectWellFormedXml(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400"')).toBe(true);
    expect(svg).toContain("<title>Training and validation loss</title>");
    expect(svg).toContain(">training loss<");
    expect(svg).toContain(">validation loss<");
    expect(svg).toContain(">training, per batch<");
    expect(svg).toContain(">epoch<");
  });
  it("one point per epoch, epochs 1..n left to right, lower loss drawn lower on the page's y axis upside down", () => {
    const points = pathPoints(svg, "train");
    expect(points).toHaveLength(train.length);
    for (let i = 1; i < points.length; i++) expect(points[i]!.x).toBeGreaterThan(points[i - 1]!.x);
    // SVG y grows downwards: a smaller loss has a larger y, and the mapping is linear.
    const slope = (points[1]!.y - points[0]!.y) / (train[1]! - train[0]!);
    expect(slope).toBeLessThan(0);
    points.forEach((p, i) => expect(p.y).toBeCloseTo(points[0]!.y + slope * (train[i]! - train[0]!), 0));
    expect(pathPoints(svg, "validation")).toHaveLength(val.length);
  });
  it("marks the best epoch (lowest validation loss: epoch 4, counted from 1)", () => {
    expect(svg).toContain("best: epoch 4, val_loss 0.9");
    const bestX = Number(/<g class="best"><line x1="([\d.]+)"/.exec(svg)![1]);
    expect(bestX).toBeCloseTo(pathPoints(svg, "validation")[3]!.x, 5);
  });
  it("log scale: decades as ticks, values <= 0 and NaN leave gaps and are counted", () => {
    const g = new TrainingHistory();
    [1, 0.1, 0, 0.01, NaN, 0.001].forEach((loss) => g.recordEpoch({ loss }));
    const log = g.toSVG({ logScale: true, title: "a <log> & plot" });
    expectWellFormedXml(log);
    expect(log).toContain("<title>a &lt;log&gt; &amp; plot</title>");
    expect(log).toContain("(log scale)");
    const points = pathPoints(log, "train");
    expect(points.map((p) => p.move)).toEqual([true, false, true, true]);
    // equal steps in log10: 1 → 0.1 → 0.01 → 0.001 are evenly spaced vertically
    const dy = points[1]!.y - points[0]!.y;
    expect(points[2]!.y - points[1]!.y).toBeCloseTo(dy, 1);
    expect(log).toContain("2 epoch values not drawn (NaN, infinite or &lt;= 0)");
    for (const label of [">1<", ">0.1<", ">0.01<", ">0.001<"]) expect(log).toContain(label);
    expect(log).toContain("best: epoch 6, loss 0.001");
  });
  it("a rare noisy batch does not set the y range: it is clipped to the plot area", () => {
    const g = new TrainingHistory();
    for (let e = 0; e < 5; e++) {
      for (let b = 0; b < 50; b++) g.recordBatch(e === 2 && b === 49 ? 1000 : 1 - 0.1 * e);
      g.recordEpoch({ loss: 1 - 0.1 * e });
    }
    const clipped = g.toSVG();
    expectWellFormedXml(clipped);
    expect(clipped).toContain('clip-path="url(#losskit-plot-area)"');
    // the y ticks (right-aligned labels) span the epoch values 0.6 … 1, not the spike
    const ticks = [...clipped.matchAll(/<text x="64" y="[\d.]+">([\d.]+)<\/text>/g)].map((m) => Number(m[1]));
    expect(ticks.length).toBeGreaterThan(2);
    expect(Math.max(...ticks)).toBeLessThanOrEqual(1);
    expect(Math.min(...ticks)).toBeGreaterThanOrEqual(0.6);
  });
  it("options: size, series names, no batches; bad sizes are ConfigErrors; an empty history still draws", () => {
    const small = h.toSVG({ width: 320, height: 200, batches: false, monitor: "loss" });
    expectWellFormedXml(small);
    expect(small).toContain('width="320" height="200"');
    expect(small).not.toContain("per batch");
    expect(small).toContain("best: epoch 6, loss 0.45");
    expect(() => h.toSVG({ width: 10 })).toThrow(ConfigError);
    expectWellFormedXml(new TrainingHistory().toSVG());
  });
});

describe("sparkline", () => {
  it("the TSDoc example and the history's sparkline", () => {
    expect(sparkline([4, 3, 2, 1, 0])).toBe("█▆▅▃▁");
    const h = new TrainingHistory();
    [4, 3, 2, 1, 0].forEach((loss) => h.recordEpoch(loss));
    expect(h.sparkline()).toBe("█▆▅▃▁");
  });
  it("non-finite values print ×, a constant series ▄, long series are averaged into width buckets", () => {
    expect(sparkline([1, NaN, 0, Infinity])).toBe("█×▁×");
    expect(sparkline([2, 2, 2])).toBe("▄▄▄");
    // [0, 0, 7, 7] in 2 buckets: means 0 and 7
    expect(sparkline([0, 0, 7, 7], { width: 2 })).toBe("▁█");
    expect(sparkline([100, 10, 1], { logScale: true })).toBe("█▅▁");
    expect(() => sparkline([1], { width: 0 })).toThrow(ConfigError);
    expect(sparkline([])).toBe("");
  });
});
