// Keras-format configs (issue 12, item 4). Fixtures come from Keras 3's own sources
// (keras-team/keras, master of 2026-08): keras/src/losses/losses_test.py (`test_config`
// methods: the documented get_config() output), keras/src/saving/serialization_lib.py
// (`serialize_with_public_class`: {"module": "keras.losses", "class_name", "config",
// "registered_name": None}; `serialize_with_public_fn`; the `deserialize_keras_object`
// docstring), keras/src/losses/__init__.py (`keras.losses.get` docstring) and
// keras/src/losses/losses.py (each class's __init__ parameters).
import { describe, expect, it } from "vitest";
import {
  BinaryCrossentropy,
  BinaryFocalCrossentropy,
  CategoricalCrossentropy,
  CategoricalFocalCrossentropy,
  CategoricalGeneralizedCrossEntropy,
  Circle,
  ConfigError,
  CosineSimilarity,
  CTC,
  Dice,
  Huber,
  KERAS_LOSS_CONFIG_KEYS,
  Loss,
  LossFunctionWrapper,
  LogCosh,
  MeanSquaredError,
  SparseCategoricalCrossentropy,
  TripletSemiHardLoss,
  Tversky,
  deserializeLoss,
  getLoss,
  registerLoss,
  serializeLoss,
  type Tensor,
} from "../src/index";
import { toKerasFormat } from "../src/keras-format";

/** What Python's json.loads gives for a Keras-format dict, as text: our output must parse to the same. */
const viaJson = (x: unknown) => JSON.parse(JSON.stringify(x));

/**
 * Keras 3 `__init__` parameters of each loss class (keras/src/losses/losses.py), i.e. what
 * `cls.from_config(config)` = `cls(**config)` accepts: a config key outside this list is a
 * TypeError in Python.
 */
const KERAS_INIT_PARAMETERS: Record<string, string[]> = {
  MeanSquaredError: ["reduction", "name", "dtype"],
  MeanAbsoluteError: ["reduction", "name", "dtype"],
  MeanAbsolutePercentageError: ["reduction", "name", "dtype"],
  MeanSquaredLogarithmicError: ["reduction", "name", "dtype"],
  CosineSimilarity: ["axis", "reduction", "name", "dtype"],
  Huber: ["delta", "reduction", "name", "dtype"],
  LogCosh: ["reduction", "name", "dtype"],
  Hinge: ["reduction", "name", "dtype"],
  SquaredHinge: ["reduction", "name", "dtype"],
  CategoricalHinge: ["reduction", "name", "dtype"],
  KLDivergence: ["reduction", "name", "dtype"],
  Poisson: ["reduction", "name", "dtype"],
  BinaryCrossentropy: ["from_logits", "label_smoothing", "axis", "reduction", "name", "dtype"],
  BinaryFocalCrossentropy: ["apply_class_balancing", "alpha", "gamma", "from_logits", "label_smoothing", "axis", "reduction", "name", "dtype"],
  CategoricalCrossentropy: ["from_logits", "label_smoothing", "axis", "reduction", "name", "dtype"],
  CategoricalFocalCrossentropy: ["alpha", "gamma", "from_logits", "label_smoothing", "axis", "reduction", "name", "dtype"],
  SparseCategoricalCrossentropy: ["from_logits", "ignore_class", "reduction", "axis", "name", "dtype"],
  CTC: ["reduction", "name", "dtype"],
  Dice: ["reduction", "name", "axis", "dtype"],
  Tversky: ["alpha", "beta", "reduction", "name", "axis", "dtype"],
  Circle: ["gamma", "margin", "remove_diagonal", "reduction", "name", "dtype"],
  CategoricalGeneralizedCrossEntropy: ["q", "reduction", "name", "dtype"],
};

describe("serializeLoss(loss, { format: 'keras' }) writes what Keras writes", () => {
  it("CosineSimilarity (losses_test.py CosineSimilarityTest.test_config)", () => {
    const loss = new CosineSimilarity({ axis: 2, reduction: "sum", name: "cosine_loss" });
    expect(serializeLoss(loss, { format: "keras" })).toEqual({
      module: "keras.losses",
      class_name: "CosineSimilarity",
      config: { name: "cosine_loss", reduction: "sum", axis: 2 },
      registered_name: null,
    });
  });

  it("Huber (HuberLossTest.test_config), byte for byte in Keras's key order", () => {
    const loss = new Huber({ delta: 2.0, reduction: "sum", name: "huber" });
    // Python's json.dumps writes 2.0 where JavaScript writes 2; both parse to the same number.
    expect(JSON.stringify(serializeLoss(loss, { format: "keras" }))).toBe(
      '{"module":"keras.losses","class_name":"Huber","config":{"name":"huber","reduction":"sum","delta":2},"registered_name":null}',
    );
  });

  it("LogCosh (LogCoshTest.test_config): no options beyond name and reduction, and no dtype", () => {
    const loss = new LogCosh({ reduction: "sum", name: "logcosh_loss" });
    expect(serializeLoss(loss, { format: "keras" }).config).toEqual({ name: "logcosh_loss", reduction: "sum" });
  });

  it("SparseCategoricalCrossentropy (SparseCategoricalCrossentropyTest.test_config)", () => {
    const loss = new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: 3, axis: 0, name: "scce" });
    const { config } = serializeLoss(loss, { format: "keras" });
    expect(config.from_logits).toBe(true);
    expect(config.ignore_class).toBe(3);
    expect(config.axis).toBe(0);
    // Keras's order: Loss.get_config, then the kwargs LossFunctionWrapper got.
    expect(Object.keys(config)).toEqual(["name", "reduction", "from_logits", "ignore_class", "axis"]);
  });

  it("every Keras loss: exactly Keras's get_config keys, each one a parameter Keras's constructor takes", () => {
    const expectedKeys: Record<string, string[]> = {
      BinaryFocalCrossentropy: ["name", "reduction", "from_logits", "label_smoothing", "axis", "apply_class_balancing", "alpha", "gamma"],
      CategoricalFocalCrossentropy: ["name", "reduction", "from_logits", "label_smoothing", "axis", "alpha", "gamma"],
      Tversky: ["name", "reduction", "alpha", "beta", "axis"],
      Circle: ["name", "reduction", "gamma", "margin", "remove_diagonal"],
      CategoricalGeneralizedCrossEntropy: ["name", "reduction", "q"],
      CTC: ["name", "reduction"],
    };
    for (const className of Object.keys(KERAS_INIT_PARAMETERS)) {
      const loss = getLoss(className);
      const out = viaJson(serializeLoss(loss, { format: "keras" }));
      expect(out.module).toBe("keras.losses");
      expect(out.class_name).toBe(className);
      expect(out.registered_name).toBeNull();
      for (const key of Object.keys(out.config)) expect(KERAS_INIT_PARAMETERS[className], `${className}.${key}`).toContain(key);
      expect(out.config.name).toBe(loss.name);
      expect(out.config.reduction).toBe("sum_over_batch_size");
      if (expectedKeys[className]) expect(Object.keys(out.config)).toEqual(expectedKeys[className]);
    }
  });

  it("a float64 loss carries dtype, which Keras's constructors take (Keras itself never writes it)", () => {
    const loss = new MeanSquaredError({ dtype: "float64" });
    expect(serializeLoss(loss, { format: "keras" }).config).toEqual({ name: "mean_squared_error", reduction: "sum_over_batch_size", dtype: "float64" });
  });

  it("the TSDoc examples of serializeLoss and KERAS_LOSS_CONFIG_KEYS", () => {
    expect(serializeLoss(new Huber({ delta: 2 }), { format: "keras" })).toEqual({
      module: "keras.losses",
      class_name: "Huber",
      config: { name: "huber_loss", reduction: "sum_over_batch_size", delta: 2 },
      registered_name: null,
    });
    expect(KERAS_LOSS_CONFIG_KEYS.BinaryCrossentropy).toEqual(["from_logits", "label_smoothing", "axis"]);
  });

  it("refuses unknown formats and options", () => {
    const loss = new MeanSquaredError();
    expect(() => serializeLoss(loss, { format: "python" } as never)).toThrow(ConfigError);
    expect(() => serializeLoss(loss, { format: "python" } as never)).toThrow('Expected "losskit" or "keras". Received: format="python"');
    expect(() => serializeLoss(loss, { fromat: "keras" } as never)).toThrow("fromat is not an option of serializeLoss");
    expect(() => serializeLoss(loss, "keras" as never)).toThrow("serializeLoss options must be an object");
    expect(serializeLoss(loss, {})).toEqual(serializeLoss(loss));
  });
});

describe("deserializeLoss reads Keras's form", () => {
  it("the keras.losses.get docstring identifier", () => {
    const loss = deserializeLoss({ class_name: "CategoricalCrossentropy", config: { from_logits: true } });
    expect(loss).toBeInstanceOf(CategoricalCrossentropy);
    expect(loss.getConfig().fromLogits).toBe(true);
  });

  it("the full serialize_keras_object dict, with a DTypePolicy dtype as Keras layers write it", () => {
    const loss = deserializeLoss({
      module: "keras.losses",
      class_name: "Huber",
      config: {
        name: "huber",
        reduction: "sum",
        delta: 2.0,
        dtype: { module: "keras", class_name: "DTypePolicy", config: { name: "float64" }, registered_name: null },
      },
      registered_name: null,
    });
    expect(loss).toBeInstanceOf(Huber);
    expect(loss.getConfig()).toEqual({ name: "huber", reduction: "sum", dtype: "float64", delta: 2 });
    expect(deserializeLoss({ class_name: "Huber", config: { name: "h", reduction: null, dtype: null } }).reduction).toBe("none");
  });

  it("a serialized Keras function (serialize_with_public_fn) and a LossFunctionWrapper around one", () => {
    const fromFunction = deserializeLoss({ module: "keras.losses", class_name: "function", config: "mean_squared_error", registered_name: "mean_squared_error" });
    expect(fromFunction).toBeInstanceOf(MeanSquaredError);
    const wrapped = deserializeLoss({
      module: "keras.src.losses.losses",
      class_name: "LossFunctionWrapper",
      config: {
        name: "my_huber",
        reduction: "sum",
        fn: { module: "keras.losses", class_name: "function", config: "huber", registered_name: "huber" },
        delta: 0.5,
      },
      registered_name: "LossFunctionWrapper",
    });
    expect(wrapped).toBeInstanceOf(Huber);
    expect(wrapped.getConfig()).toMatchObject({ name: "my_huber", reduction: "sum", delta: 0.5 });
  });

  it("registered_name resolves a registered class (the deserialize_keras_object docstring's ModifiedMeanSquaredError)", () => {
    class ModifiedMeanSquaredError extends MeanSquaredError {}
    registerLoss("my_package>ModifiedMeanSquaredError", ModifiedMeanSquaredError);
    // The docstring's dict, with Keras 2's reduction "auto" (refused by Keras 3 too) and the
    // "fn" key (not a MeanSquaredError argument in Keras 3) left out.
    const loss = deserializeLoss({
      class_name: "ModifiedMeanSquaredError",
      config: { name: "mean_squared_error", reduction: "sum_over_batch_size" },
      registered_name: "my_package>ModifiedMeanSquaredError",
    });
    expect(loss).toBeInstanceOf(ModifiedMeanSquaredError);
    // And it is written back the same way: class_name without the package, registered_name with it.
    expect(serializeLoss(loss, { format: "keras" })).toEqual({
      module: null,
      class_name: "ModifiedMeanSquaredError",
      config: { name: "mean_squared_error", reduction: "sum_over_batch_size" },
      registered_name: "my_package>ModifiedMeanSquaredError",
    });
    expect(() => deserializeLoss({ class_name: "Huber", config: { reduction: "auto" } })).toThrow("Invalid value for argument reduction");
  });
});

describe("round trip through Keras's form", () => {
  const losses: Loss[] = [
    new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1, axis: -1, reduction: "sum", name: "b" }),
    new BinaryFocalCrossentropy({ applyClassBalancing: true, alpha: 0.3, gamma: 1.5, fromLogits: true }),
    new CategoricalFocalCrossentropy({ alpha: [0.2, 0.3, 0.5], gamma: 3 }),
    new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1, reduction: "none" }),
    new CategoricalGeneralizedCrossEntropy({ q: 0.7, reduction: "mean_with_sample_weight" }),
    new Dice({ axis: [1, 2] }),
    new Tversky({ alpha: 0.7, beta: 0.3 }),
    new Circle({ gamma: 64, margin: 0.25, removeDiagonal: false }),
    new CTC({ name: "my_ctc" }),
    new Huber({ delta: 1.5, dtype: "float64" }),
    // Not Keras's: written in Keras's custom-object form ("Custom>TripletSemiHardLoss").
    new TripletSemiHardLoss({ margin: 0.5, distanceMetric: "angular" }),
  ];
  for (const loss of losses) {
    it(`${loss.constructor.name}: serialize → JSON → deserialize gives the same loss`, () => {
      const back = deserializeLoss(viaJson(serializeLoss(loss, { format: "keras" })));
      expect(back.constructor).toBe(loss.constructor);
      expect(back.getConfig()).toEqual(loss.getConfig());
    });
  }

  it("a losskit loss that Keras lacks: module null and a Custom> registered name", () => {
    const keras = viaJson(serializeLoss(new TripletSemiHardLoss({ margin: 0.5 }), { format: "keras" }));
    expect(keras.module).toBeNull();
    expect(keras.class_name).toBe("TripletSemiHardLoss");
    expect(keras.registered_name).toBe("Custom>TripletSemiHardLoss");
    expect(keras.config.margin).toBe(0.5);
    expect(keras.config.distance_metric).toBe("L2");
  });

  it("same values after the round trip", () => {
    const loss = new BinaryFocalCrossentropy({ applyClassBalancing: true, alpha: 0.3, gamma: 1.5, fromLogits: true });
    const back = deserializeLoss(viaJson(serializeLoss(loss, { format: "keras" })));
    const yTrue = [[0, 1], [1, 1]];
    const yPred = [[-0.3, 1.2], [2.5, -0.7]];
    expect(back(yTrue, yPred)).toBe(loss(yTrue, yPred));
  });

  it("a user class and a registered function (Keras's custom-object form)", () => {
    class ScaledError extends Loss {
      declare scale: number;
      constructor(config: { scale?: number; reduction?: "sum"; name?: string } = {}) {
        const { scale = 2, ...rest } = config;
        super(rest);
        this.scale = scale;
      }
      call(yTrue: Tensor, yPred: Tensor) {
        return [this.scale * Math.abs(yTrue.item() - yPred.item())];
      }
      getConfig() {
        return { ...super.getConfig(), scale: this.scale };
      }
    }
    registerLoss("ScaledError", ScaledError);
    const keras = serializeLoss(new ScaledError({ scale: 3 }), { format: "keras" });
    expect(keras).toEqual({
      module: null,
      class_name: "ScaledError",
      config: { name: "scaled_error", reduction: "sum_over_batch_size", scale: 3 },
      registered_name: "Custom>ScaledError",
    });
    const back = deserializeLoss(viaJson(keras));
    expect(back).toBeInstanceOf(ScaledError);
    expect(back(1, 3)).toBe(6);

    const cube = (t: Tensor, p: Tensor) => [(t.item() - p.item()) ** 3];
    registerLoss("keras_cube_error", cube);
    const wrapped = new LossFunctionWrapper(cube, { reduction: "sum" });
    const kerasWrapped = serializeLoss(wrapped, { format: "keras" });
    expect(kerasWrapped).toEqual({
      module: "keras.src.losses.losses",
      class_name: "LossFunctionWrapper",
      config: {
        name: "cube",
        reduction: "sum",
        fn: { module: null, class_name: "function", config: "keras_cube_error", registered_name: "keras_cube_error" },
      },
      registered_name: "LossFunctionWrapper",
    });
    expect(deserializeLoss(viaJson(kerasWrapped))(3, 1)).toBe(8);
  });

  it("an option Keras does not have is refused unless it is at its default", () => {
    class WithExtra extends MeanSquaredError {
      declare extra: number;
      constructor(config: Record<string, unknown> = {}) {
        const { extra = 0, ...rest } = config;
        super(rest);
        this.extra = extra as number;
      }
      getConfig() {
        return { ...super.getConfig(), extra: this.extra };
      }
    }
    // Straight to the converter: registering a built-in name would leak into other test files
    // (registrations are process-wide, on globalThis).
    const plain = (loss: WithExtra) => ({ className: "MeanSquaredError", config: loss.getConfig() });
    expect(toKerasFormat(plain(new WithExtra()), new WithExtra()).config).toEqual({ name: "mean_squared_error", reduction: "sum_over_batch_size" });
    const changed = new WithExtra({ extra: 1 });
    expect(() => toKerasFormat(plain(changed), changed)).toThrow("MeanSquaredError option extra=1 has no Keras equivalent");
  });
});
