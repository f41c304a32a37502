/**
 * Sequence losses: CTC.
 */
import type { LossEntry } from "../registry";

export const SEQUENCE_LOSSES: LossEntry[] = [];
