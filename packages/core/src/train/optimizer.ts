import * as tf from "@tensorflow/tfjs";
import type { OptimizerConfig } from "../config.ts";

/** Keras' Adam epsilon. */
const ADAM_EPSILON = 1e-7;

/**
 * The optimizer a config names: SGD (with momentum when momentum > 0) or, for `adamw`, Adam, whose
 * decoupled weight decay trainStep applies (see decayKernels).
 */
export function createOptimizer(config: OptimizerConfig): tf.Optimizer {
  if (config.type === "adamw")
    return tf.train.adam(config.learningRate, config.beta1, config.beta2, ADAM_EPSILON);
  return config.momentum > 0
    ? tf.train.momentum(config.learningRate, config.momentum, config.nesterov)
    : tf.train.sgd(config.learningRate);
}

/** Sets the rate the optimizer's next step uses (for a schedule). */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const named = optimizer.getClassName();
  if (named === "SGD" || named === "Momentum") (optimizer as tf.SGDOptimizer).setLearningRate(learningRate);
  else if (named === "Adam")
    // Adam reads this field on every step; tfjs declares it protected but offers no setter.
    (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
  else throw new Error(`setLearningRate: unsupported optimizer ${named}`);
}

/** The learning rate the optimizer's next step uses. */
export function learningRateOf(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/** Whether weight decay applies to a variable: kernels only, not biases or batch-norm parameters. */
export function isDecayed(variable: tf.Variable): boolean {
  return /(^|\/)kernel(_\d+)?$/.test(variable.name);
}

/** Decoupled weight decay: multiplies every kernel among `vars` by (1 - `amount`). */
export function decayKernels(vars: readonly tf.Variable[], amount: number): void {
  if (amount <= 0) return;
  for (const v of vars) if (isDecayed(v)) tf.tidy(() => v.assign(tf.mul(v, 1 - amount)));
}
