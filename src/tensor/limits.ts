/**
 * Bounds on what losskit accepts, checked before any work so that hostile input (a nested
 * array 10,000 levels deep, a shape of a million dimensions) costs an error, not a stack
 * overflow or a quadratic scan.
 */

/** Most dimensions a tensor may have: NumPy's limit (`NPY_MAXDIMS`). */
export const MAX_RANK = 64;
