/**
 * Segmentation losses: Dice, Tversky.
 */
import type { LossEntry } from "../registry";

export const SEGMENTATION_LOSSES: LossEntry[] = [];
