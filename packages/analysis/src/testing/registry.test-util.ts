import { NeuralPde, Registry, type ModelSpec } from '@npde/core';
import { referencePlugins, withReferenceDefaults } from '@npde/core/testing';
import { plugins as kernels } from '@npde/kernels';

/** A registry with the kernels, core's reference plugins (tanh, identity, Euler, none, cpu, pde stage). */
export function analysisTestRegistry(): Registry {
  return withReferenceDefaults(new Registry().register(kernels, referencePlugins));
}

/** Build a model on a fresh test registry. */
export function testModel(spec: ModelSpec): NeuralPde {
  return NeuralPde.create(spec, { registry: analysisTestRegistry() });
}

/** Smooth heterogeneous ADR profiles on N sites (grid units). */
export function adrProfiles(n: number): { U: number[]; D: number[]; R: number[] } {
  const q = (i: number): number => (2 * Math.PI * i) / n;
  return {
    U: Array.from({ length: n }, (_, i) => 0.1 * Math.sin(q(i))),
    D: Array.from({ length: n }, (_, i) => 0.15 + 0.05 * Math.cos(q(i))),
    R: Array.from({ length: n }, (_, i) => -0.05 + 0.03 * Math.sin(2 * q(i))),
  };
}

/** The ADR stencil (theory §6, Δ = 1) as a dense row-major matrix, periodic or zero boundary. */
export function adrMatrix(p: { U: number[]; D: number[]; R: number[] }, periodic: boolean): Float64Array {
  const n = p.U.length;
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const a = -p.U[i]! / 2 + p.D[i]!;
    const b = p.U[i]! / 2 + p.D[i]!;
    w[i * n + i] = 1 - 2 * p.D[i]! + p.R[i]!;
    if (i > 0 || periodic) w[i * n + ((i - 1 + n) % n)] = a;
    if (i < n - 1 || periodic) w[i * n + ((i + 1) % n)] = b;
  }
  return w;
}
