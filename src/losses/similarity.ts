/**
 * Similarity losses: Circle.
 */
import type { LossEntry } from "../registry";

export const SIMILARITY_LOSSES: LossEntry[] = [];
