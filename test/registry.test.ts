import { describe, expect, it } from "vitest";
import {
  ConfigError,
  Loss,
  LossFunctionWrapper,
  MeanAbsoluteError,
  MeanSquaredError,
  Tensor,
  deserializeLoss,
  getLoss,
  listLosses,
  registerLoss,
  serializeLoss,
} from "../src/index";

describe("getLoss", () => {
  const names = ["mse", "MSE", "mean_squared_error", "meanSquaredError", "MeanSquaredError"];
  for (const name of names) {
    it(`"${name}" gives a reducing MeanSquaredError`, () => {
      const loss = getLoss(name);
      expect(loss).toBeInstanceOf(MeanSquaredError);
      expect(loss([12, 20, 29, 60], [14, 18, 27, 55])).toBe(9.25);
    });
  }

  it("knows the MAE aliases", () => {
    for (const name of ["mae", "MAE", "mean_absolute_error", "meanAbsoluteError", "MeanAbsoluteError"]) {
      expect(getLoss(name)).toBeInstanceOf(MeanAbsoluteError);
    }
  });

  it("accepts { className, config }, Keras's { class_name, config } and a Loss or function", () => {
    const loss = getLoss({ className: "MeanSquaredError", config: { reduction: "sum", name: "m" } });
    expect(loss.reduction).toBe("sum");
    expect(loss.name).toBe("m");
    const keras = getLoss({ class_name: "MeanSquaredError", config: { reduction: "sum", name: "m" } } as never);
    expect(keras.reduction).toBe("sum");
    const instance = new MeanAbsoluteError();
    expect(getLoss(instance)).toBe(instance);
    const wrapped = getLoss((t: Tensor, p: Tensor) => [t.item() - p.item()]);
    expect(wrapped).toBeInstanceOf(LossFunctionWrapper);
    expect(wrapped(3, 1)).toBe(2);
  });

  it("refuses an unknown name and lists the closest known names", () => {
    expect(() => getLoss("typo")).toThrow(ConfigError);
    expect(() => getLoss("mean_sqared_error")).toThrow('Could not interpret loss identifier: "mean_sqared_error". Did you mean "mean_squared_error"');
    expect(() => getLoss(42 as never)).toThrow("Could not interpret loss identifier");
    expect(() => getLoss("constructor")).toThrow(ConfigError);
    expect(() => getLoss("toString")).toThrow(ConfigError);
  });

  it("listLosses includes the aliases", () => {
    expect(listLosses()).toEqual(expect.arrayContaining(["mse", "MSE", "MeanSquaredError", "mean_absolute_error"]));
  });
});

describe("serialization", () => {
  it("round-trips every option through JSON", () => {
    const loss = new MeanSquaredError({ reduction: null, name: "custom", dtype: "float64" });
    const json = JSON.stringify(serializeLoss(loss));
    const back = deserializeLoss(JSON.parse(json));
    expect(back).toBeInstanceOf(MeanSquaredError);
    expect(back.getConfig()).toEqual(loss.getConfig());
    expect(back.reduction).toBe("none");
    expect(back.dtype).toBe("float64");
  });

  it("refuses prototype-polluting configs and never evaluates code", () => {
    const evil = JSON.parse('{"className":"MeanSquaredError","config":{"__proto__":{"polluted":true}}}');
    expect(() => deserializeLoss(evil)).toThrow(ConfigError);
    expect(() => deserializeLoss(evil)).toThrow('"__proto__"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => deserializeLoss({ className: "MeanSquaredError", config: { constructor: { prototype: {} } } })).toThrow("prototype pollution guard");
    expect(() => deserializeLoss({ className: "__proto__", config: {} })).toThrow(ConfigError);
    expect(() => deserializeLoss({ className: "MeanSquaredError", config: { reduction: "drop table" } })).toThrow("Invalid value for argument reduction");
    expect(() => deserializeLoss({ className: "MeanSquaredError", config: "x" as never })).toThrow("config must be an object");
    expect(() => deserializeLoss({ className: "MeanSquaredError", config: { evil: "process.exit(1)" } })).toThrow("evil is not an option of mean_squared_error");
  });

  it("registers user classes and functions, and serializes them by name", () => {
    class DoubledError extends Loss {
      call(yTrue: Tensor, yPred: Tensor) {
        return [2 * (yTrue.item() - yPred.item())];
      }
    }
    registerLoss("DoubledError", DoubledError);
    expect(getLoss("DoubledError")).toBeInstanceOf(DoubledError);
    const s = serializeLoss(new DoubledError({ reduction: "sum" }));
    expect(s).toEqual({ className: "DoubledError", config: { name: "doubled_error", reduction: "sum", dtype: "float32" } });
    expect(deserializeLoss(s)).toBeInstanceOf(DoubledError);

    const cube = (t: Tensor, p: Tensor) => [(t.item() - p.item()) ** 3];
    registerLoss("cube_error", cube);
    const wrapped = getLoss("cube_error");
    expect(wrapped(3, 1)).toBe(8);
    const back = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(wrapped))));
    expect(back(3, 1)).toBe(8);
    expect(() => serializeLoss(new LossFunctionWrapper((t: Tensor) => t))).toThrow("is not registered");
    expect(() => registerLoss("__proto__", cube)).toThrow(ConfigError);
    expect(() => registerLoss("x", 3 as never)).toThrow("needs a Loss subclass or a function");
  });
});
