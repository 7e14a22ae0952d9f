// Shared fixtures of the trainer's specs: data from a known model, a stateful
// optimizer (a compact Adam with getState/setState, since core depends on no
// optimizer package), and kernels that fail on purpose.
import * as v from 'valibot';
import { wrapPluginError } from '../errors/errors.js';
import { NeuralPde } from '../model/neural-pde.js';
import { defineKernelFamily, defineOptimizer } from '../plugins/define.js';
import type { Registry } from '../registry/registry.js';
import { tf, type Tensor, type Tensor2D, type Variable } from '../tensor/tf.js';
import { testRegistry, testSpec } from '../test-plugins.test-util.js';
import type { TrainerEvent } from './events.js';

/** The qualified name of the parameter whose name ends with `suffix` (`kernel/a`). */
export function paramName(model: NeuralPde, suffix: string): string {
  const name = Object.keys(model.parameters).find((k) => k === suffix || k.endsWith(`/${suffix}`));
  if (!name) throw new Error(`no parameter ending in ${suffix}: ${Object.keys(model.parameters).join(', ')}`);
  return name;
}

/** The values of the parameter ending with `suffix`. */
export function param(model: NeuralPde, suffix: string): number[] {
  return Array.from(model.parameters[paramName(model, suffix)]!.dataSync());
}

/** Every weight of the model as plain arrays, by name. */
export function weightsOf(model: NeuralPde): Record<string, number[]> {
  const w = model.getWeights();
  const out = Object.fromEntries(Object.entries(w).map(([k, t]) => [k, Array.from(t.dataSync())]));
  tf.dispose(Object.values(w));
  return out;
}

/** `n` samples `[n, 6]` and the outputs of the test model with kernel weights `a`. */
export function makeData(a: readonly number[], n = 40, seed = 1): { x: Tensor2D; y: Tensor2D } {
  const truth = NeuralPde.create(testSpec, { registry: testRegistry() });
  truth.setWeights({ [paramName(truth, 'kernel/a')]: a }, { partial: true });
  const x = tf.randomNormal([n, 6], 0, 1, 'float32', seed) as Tensor2D;
  const y = truth.predict(x) as Tensor2D;
  truth.dispose();
  return { x, y };
}

/** Adam (β₁ 0.9, β₂ 0.999) whose state is m, v per variable and the step count. */
export const testAdam = defineOptimizer({
  id: '@test/o/adam',
  description: 'Adam with getState/setState, for resume tests',
  options: v.object({ learningRate: v.optional(v.number(), 0.05) }),
  create: ({ options }) => {
    const slots = new Map<Variable, { m: Variable; v: Variable }>();
    let t = 0;
    const slot = (x: Variable) => {
      let s = slots.get(x);
      if (!s) slots.set(x, (s = { m: tf.variable(tf.zerosLike(x), false), v: tf.variable(tf.zerosLike(x), false) }));
      return s;
    };
    return {
      step: (p) => {
        const { loss, grads } = p.lossAndGrads();
        const value = loss.dataSync()[0]!;
        t++;
        tf.tidy(() =>
          p.variables.forEach((x, i) => {
            const s = slot(x);
            s.m.assign(tf.add(tf.mul(0.9, s.m), tf.mul(0.1, grads[i]!)));
            s.v.assign(tf.add(tf.mul(0.999, s.v), tf.mul(0.001, tf.square(grads[i]!))));
            const mHat = tf.div(s.m, 1 - 0.9 ** t);
            const vHat = tf.div(s.v, 1 - 0.999 ** t);
            x.assign(tf.sub(x, tf.mul(options.learningRate, tf.div(mHat, tf.add(tf.sqrt(vHat), 1e-8)))));
          }),
        );
        tf.dispose([loss, ...grads]);
        return value;
      },
      learningRate: () => options.learningRate,
      getState: (variables) => {
        const out: Record<string, Tensor> = { step: tf.scalar(t, 'int32') };
        variables.forEach((x, i) => {
          const s = slots.get(x);
          if (s) Object.assign(out, { [`m/${i}`]: s.m.clone(), [`v/${i}`]: s.v.clone() });
        });
        return out;
      },
      setState: (variables, state) => {
        t = state['step']!.dataSync()[0]!;
        variables.forEach((x, i) => {
          if (!state[`m/${i}`]) return;
          const s = slot(x);
          s.m.assign(state[`m/${i}`]!);
          s.v.assign(state[`v/${i}`]!);
        });
      },
      dispose: () => {
        for (const s of slots.values()) tf.dispose([s.m, s.v]);
        slots.clear();
      },
    };
  },
});

/**
 * A diagonal kernel whose `apply` throws on its `failAt`-th call: `wrapped`
 * throws the `PluginError` naming it (what the model's plugin context makes
 * of a kernel's throw), otherwise a plain `Error`.
 */
export function failingKernel(id: string, failAt: number, wrapped: boolean) {
  return defineKernelFamily({
    id,
    description: 'diagonal W that fails',
    options: v.object({}),
    create: ({ field }) => {
      const a = tf.tidy(() => tf.variable(tf.fill([field.size], 0.5), true));
      let calls = 0;
      return {
        params: { a },
        paramCount: field.size,
        apply: (z: Tensor2D) => {
          if (++calls >= failAt) {
            const err = new Error('boom');
            throw wrapped ? wrapPluginError(id, 'apply', err) : err;
          }
          return tf.mul(z, a) as Tensor2D;
        },
        dispose: () => a.dispose(),
      };
    },
  });
}

/** An optimizer whose own code fails. */
export const brokenOptimizer = defineOptimizer({
  id: '@test/o/broken',
  description: 'throws from step',
  options: v.object({}),
  create: () => ({
    step: () => {
      throw new TypeError('optimizer bug');
    },
    dispose: () => {},
  }),
});

/** The test registry plus the fixtures above. */
export function registry(): Registry {
  return testRegistry().register(testAdam, brokenOptimizer);
}

/** The events of type `K` in `events`. */
export function ofType<K extends TrainerEvent['type']>(events: readonly TrainerEvent[], type: K): Extract<TrainerEvent, { type: K }>[] {
  return events.filter((e): e is Extract<TrainerEvent, { type: K }> => e.type === type);
}
