/**
 * Probabilistic losses: Poisson, KLDivergence, CategoricalGeneralizedCrossEntropy.
 */
import type { LossEntry } from "../registry";

export const PROBABILISTIC_LOSSES: LossEntry[] = [];
