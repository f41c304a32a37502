/**
 * Losses from TensorFlow Addons and beyond (focal, GIoU, triplet, contrastive, …).
 */
import type { LossEntry } from "../registry";

export const ADDONS_LOSSES: LossEntry[] = [];
