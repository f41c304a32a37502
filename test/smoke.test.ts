import { describe, expect, it } from "vitest";
import { MeanSquaredError, getLoss } from "../src/index";

describe("pipeline", () => {
  it("MeanSquaredError gives the Keras docstring value", () => {
    expect(new MeanSquaredError()([12, 20, 29, 60], [14, 18, 27, 55])).toBe(9.25);
    expect(getLoss("mse")([12, 20, 29, 60], [14, 18, 27, 55])).toBe(9.25);
  });
});
