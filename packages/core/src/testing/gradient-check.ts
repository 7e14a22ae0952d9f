import { tf, type Scalar, type Variable } from '../tensor/tf.js';
import { ConformanceError } from './conformance-error.js';

/** Options of {@link checkGradients}. */
export interface GradientCheckOptions {
  /** Relative finite-difference step (default 1e-2, scaled by max(1, |θ|)). */
  readonly step?: number;
  /** Allowed error ‖g_fd − g‖∞ / max(‖g‖∞, floor) (default 2e-2). */
  readonly tolerance?: number;
  /** Entries checked per variable, spread evenly (default 12). */
  readonly entriesPerVariable?: number;
  /** Denominator floor for tiny gradients (default 1e-3). */
  readonly floor?: number;
  /** Name shown in failures. */
  readonly label?: string;
}

/** What {@link checkGradients} measured. */
export interface GradientCheckReport {
  /** Worst normalized error over the checked entries. */
  readonly maxError: number;
  /** Entries compared. */
  readonly checked: number;
}

/**
 * Compare the autodiff gradient of `loss` with central finite differences, in
 * float32 (tfjs has no float64).
 *
 * Why the default tolerance: a central difference has truncation error
 * ~h²·|L'''|/6 and rounding error ~ε·|L|/h with ε ≈ 6e-8; with h = 1e-2 and an
 * O(1) loss both are ~1e-5, and summing the loss over a few thousand float32
 * terms adds ~1e-4 relative. 2e-2 of the largest gradient entry leaves a wide
 * margin for that, while a wrong gradient (a sign, a factor 2, a missing
 * term) is off by O(1) and fails. Tighter checks belong in float64 references.
 *
 * Throws {@link ConformanceError} when the error exceeds the tolerance.
 */
export function checkGradients(loss: () => Scalar, variables: readonly Variable[], options: GradientCheckOptions = {}): GradientCheckReport {
  const h0 = options.step ?? 1e-2;
  const tol = options.tolerance ?? 2e-2;
  const per = options.entriesPerVariable ?? 12;
  const floor = options.floor ?? 1e-3;
  const { grads } = tf.tidy(() => {
    const r = tf.variableGrads(loss, variables as Variable[]);
    r.value.dispose();
    return { grads: variables.map((v) => r.grads[v.name]!.dataSync().slice()) };
  });
  let gmax = 0;
  grads.forEach((g) => g.forEach((x) => (gmax = Math.max(gmax, Math.abs(x)))));
  const evalLoss = () => tf.tidy(() => loss().dataSync()[0]!);
  let maxError = 0;
  let checked = 0;
  const failures: string[] = [];
  variables.forEach((v, vi) => {
    const base = v.dataSync().slice();
    const n = base.length;
    const count = Math.min(per, n);
    for (let c = 0; c < count; c++) {
      const i = Math.floor((c * n) / count);
      const h = h0 * Math.max(1, Math.abs(base[i]!));
      const set = (val: number) => {
        const copy = base.slice();
        copy[i] = val;
        tf.tidy(() => v.assign(tf.tensor(copy, v.shape, 'float32')));
      };
      set(base[i]! + h);
      const lp = evalLoss();
      set(base[i]! - h);
      const lm = evalLoss();
      tf.tidy(() => v.assign(tf.tensor(base, v.shape, 'float32')));
      const fd = (lp - lm) / (2 * h);
      const err = Math.abs(fd - grads[vi]![i]!) / Math.max(gmax, floor);
      checked++;
      if (err > maxError) maxError = err;
      if (!(err <= tol)) failures.push(`${v.name}[${i}]: autodiff ${grads[vi]![i]}, finite difference ${fd}`);
    }
  });
  if (failures.length) {
    throw new ConformanceError(
      `${options.label ?? 'gradient'}: autodiff and finite differences disagree (max normalized error ${maxError.toExponential(2)} > ${tol}):\n  ${failures.slice(0, 5).join('\n  ')}`,
    );
  }
  return { maxError, checked };
}
