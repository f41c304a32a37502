export { squeezeOrExpandToSameRank } from "./rank";
export { standardizeReduction, reduceWeightedValues, planWeights, applyPlan, upstreamOf, multiplyWeights, REDUCTIONS } from "./reduce";
export type { Reduction, ReductionOption, WeightPlan, WeightingOptions } from "./reduce";
