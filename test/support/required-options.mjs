// The one place the checks over every loss learn how to build a loss that has an option
// without a default (WeightedKappaLoss's numClasses): by class, or by any name getLoss knows.

/** Options without a default, by class name, with values that build the loss. */
export const REQUIRED_OPTIONS = { WeightedKappaLoss: { numClasses: 3 } };

/** The options `cls` cannot be built without (`{}` for most losses). */
export function requiredOptions(cls) {
  return REQUIRED_OPTIONS[cls.name] ?? {};
}

/** `lib.getLoss(name)`, giving a loss with a required option its value. */
export function lossByName(lib, name) {
  try {
    return lib.getLoss(name);
  } catch (error) {
    if (!(error instanceof lib.ConfigError) || !/is required/.test(error.message)) throw error;
    for (const config of Object.values(REQUIRED_OPTIONS)) {
      try {
        return lib.getLoss({ className: name, config });
      } catch {
        // another loss's required options
      }
    }
    throw error;
  }
}
