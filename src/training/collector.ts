/**
 * `add_loss` for a JavaScript training step: the main loss plus penalty terms, each kept
 * by name, as Keras's `model.losses` next to the compiled loss.
 *
 * @module
 */
import { ConfigError, describeValue } from "../errors";
import { Tensor } from "../tensor/tensor";
import type { TensorLike } from "../tensor/convert";
import type { Regularizer, RegularizerInput } from "./regularizers";

/** What {@link LossCollector.collect} returns. */
export interface CollectedLoss {
  /** `loss + Σ penalties`: what the optimizer minimizes. */
  total: number;
  /** The main (data) loss. */
  loss: number;
  /** Each added term by name, in the order added (Keras's `model.losses`). */
  penalties: Record<string, number>;
}

/**
 * Collects the terms of one training step (Keras's `add_loss`): penalty values added by
 * name with {@link LossCollector.addLoss} or computed by a regularizer with
 * {@link LossCollector.addRegularization}, then `collect(mainLoss)` returns
 * `{ total, loss, penalties }` and starts the next step (Keras recomputes `model.losses`
 * on every forward pass, so terms never carry over). The last result stays in
 * `collector.last` (and `diagnose(collector)` checks it for a dominating or non-finite
 * penalty). Gradients of penalties come from the regularizers (`reg.grad(w)`).
 *
 * @example
 * const collector = new LossCollector();
 * collector.addRegularization(l2(0.01), [[1, 2], [3, 4]], "kernel"); // 0.3
 * collector.addLoss(0.05, "activity");
 * collector.collect(0.5); // { total: 0.8500000000000001, loss: 0.5, penalties: { kernel: 0.3, activity: 0.05 } }
 */
export class LossCollector {
  private terms: [string, number][] = [];
  private lastResult: CollectedLoss | undefined;

  /**
   * Add a term (a number, or a Tensor of size 1) under `name` (default `loss_<i>`).
   * Names are unique within a step. Returns the value.
   */
  addLoss(value: number | Tensor, name?: string): number {
    const v = value instanceof Tensor ? value.item() : value;
    if (typeof v !== "number") throw new ConfigError(`addLoss needs a number (or a Tensor of size 1), received ${describeValue(value)}`);
    const key = name ?? `loss_${this.terms.length}`;
    if (typeof key !== "string" || key.length === 0) throw new ConfigError(`addLoss name must be a non-empty string, received ${describeValue(name)}`);
    if (key === "loss" || key === "total") throw new ConfigError(`addLoss name "${key}" is reserved for the main loss and the total`);
    if (this.terms.some(([k]) => k === key)) {
      throw new ConfigError(`a term named "${key}" was already added in this step; name terms uniquely (collect() starts a new step)`);
    }
    this.terms.push([key, v]);
    return v;
  }

  /** Add `regularizer(x)` under `name` (default: the regularizer's kind and the term's position). Returns the value. */
  addRegularization(regularizer: Regularizer, x: RegularizerInput, name?: string): number {
    if (typeof regularizer !== "function" || typeof (regularizer as Partial<Regularizer>).grad !== "function") {
      throw new ConfigError(`addRegularization needs a regularizer (l1, l2, l1l2, activityRegularization), received ${describeValue(regularizer)}`);
    }
    return this.addLoss(regularizer(x as TensorLike), name ?? `${regularizer.activity ? "activity" : "regularization"}_${this.terms.length}`);
  }

  /** The terms added so far in this step, in order (Keras's `model.losses`). */
  get losses(): number[] {
    return this.terms.map(([, v]) => v);
  }

  /** The terms of this step by name. */
  get penalties(): Record<string, number> {
    return Object.fromEntries(this.terms);
  }

  /** The result of the last `collect()`. */
  get last(): CollectedLoss | undefined {
    return this.lastResult;
  }

  /**
   * `{ total: loss + Σ terms, loss, penalties }` for this step's terms, then clear them.
   * `mainLoss` is a number or what `loss.valueAndGrad` returns (its `value`).
   */
  collect(mainLoss: number | { value: number | Tensor }): CollectedLoss {
    const loss = typeof mainLoss === "number" ? mainLoss : mainLoss !== null && typeof mainLoss === "object" ? mainLoss.value : undefined;
    if (typeof loss !== "number") {
      throw new ConfigError(`collect needs the main loss as a number (a reducing loss's value), received ${describeValue(loss instanceof Tensor ? loss : mainLoss)}`);
    }
    let total = loss;
    for (const [, v] of this.terms) total += v;
    const result: CollectedLoss = { total, loss, penalties: this.penalties };
    this.lastResult = result;
    this.terms = [];
    return result;
  }

  /** Drop this step's terms without collecting them. */
  clear(): void {
    this.terms = [];
  }
}
