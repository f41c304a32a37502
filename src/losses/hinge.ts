/**
 * Hinge losses: Hinge, SquaredHinge, CategoricalHinge.
 */
import type { LossEntry } from "../registry";

export const HINGE_LOSSES: LossEntry[] = [];
