/**
 * Crossentropy losses: binary, categorical, sparse categorical, and their focal variants.
 */
import type { LossEntry } from "../registry";

export const CROSSENTROPY_LOSSES: LossEntry[] = [];
