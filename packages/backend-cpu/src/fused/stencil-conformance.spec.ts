import { afterEach, beforeAll, describe, expect, it } from 'vitest';
// The kit's own tests (@npde/core/testing's checkStencilRelaxKernels), run here on the
// real cpu kernels: it passes them, and fails them once their outputs are tampered with.
import { tf } from '@npde/core';
import { STENCIL_RELAX_GRAD_KERNEL, STENCIL_RELAX_KERNEL, setFusedPathInfo } from '@npde/core/internal';
import { ConformanceError, STENCIL_EDGE_GEOMETRIES, STENCIL_GEOMETRIES, checkStencilRelaxKernels, stencilConfigs } from '@npde/core/testing';
import { cpuBackend } from '../cpu-backend.js';
import { registerStencilRelaxCpuKernels, stencilRelaxCpuKernelConfig, stencilRelaxGradCpuKernelConfig } from './stencil-kernels.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type CpuData = { data: { get(id: object): { values: Float32Array } } };

/** Replace a cpu kernel by the real one followed by `edit` of its outputs. */
function tamper(real: tf.KernelConfig, edit: (outs: Float32Array[], args: KernelArgs) => void): void {
  tf.unregisterKernel(real.kernelName, 'cpu');
  tf.registerKernel({
    ...real,
    kernelFunc: (args: KernelArgs) => {
      const out = real.kernelFunc(args) as tf.TensorInfo | tf.TensorInfo[];
      const infos = Array.isArray(out) ? out : [out];
      edit(
        infos.map((i) => (args.backend as unknown as CpuData).data.get(i.dataId).values),
        args,
      );
      return out;
    },
  });
}

function restore(): void {
  for (const name of [STENCIL_RELAX_KERNEL, STENCIL_RELAX_GRAD_KERNEL]) if (tf.getKernel(name, 'cpu')) tf.unregisterKernel(name, 'cpu');
  registerStencilRelaxCpuKernels();
}

const FEW = stencilConfigs([STENCIL_GEOMETRIES[0]!]);

beforeAll(async () => {
  await cpuBackend.setup({});
});

afterEach(() => {
  restore(); // core's own cpu kernels again
  expect(tf.getKernel(STENCIL_RELAX_KERNEL, 'cpu')?.kernelFunc).toBe(stencilRelaxCpuKernelConfig.kernelFunc);
  expect(tf.getKernel(STENCIL_RELAX_GRAD_KERNEL, 'cpu')?.kernelFunc).toBe(stencilRelaxGradCpuKernelConfig.kernelFunc);
});

describe('checkStencilRelaxKernels', () => {
  it('runs every config at the seeded ω, 0.5 and 1 on the active backend (all 160 configs by default), and reports what it ran', () => {
    expect(STENCIL_GEOMETRIES).toHaveLength(9);
    expect(STENCIL_EDGE_GEOMETRIES).toHaveLength(7);
    expect(stencilConfigs()).toHaveLength(160);
    const before = tf.memory().numTensors;
    expect(checkStencilRelaxKernels({ configs: FEW })).toEqual({ backend: 'cpu', mode: 'fused-cpu', cases: 30, comparisons: 30 * 14, skippedActivations: [] });
    expect(checkStencilRelaxKernels({ configs: FEW, omegas: [] })).toMatchObject({ cases: 10 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('skips the activations a backend reports its kernels lack, and refuses one whose kernels implement none', () => {
    setFusedPathInfo('cpu', { mode: 'cpu', reason: 'test: tanh only', activations: ['tanh'] });
    expect(checkStencilRelaxKernels({ configs: FEW })).toMatchObject({ cases: 6, skippedActivations: ['identity', 'relu', 'sigmoid', 'softplus'] });
    setFusedPathInfo('cpu', { mode: 'cpu', reason: 'test: none', activations: [] });
    expect(() => checkStencilRelaxKernels({ configs: FEW })).toThrow(/implement none of the configs' activations/);
  });

  it('refuses a backend where stencilRelax runs no fused kernel', () => {
    tf.unregisterKernel(STENCIL_RELAX_GRAD_KERNEL, 'cpu');
    expect(() => checkStencilRelaxKernels({ configs: FEW })).toThrow(ConformanceError);
    expect(() => checkStencilRelaxKernels({ configs: FEW })).toThrow(/runs no fused kernel on backend 'cpu'/);
  });

  it('throws a ConformanceError naming the case when the forward is off by 2e-6 (float32 accuracy is 1e-6)', () => {
    tamper(stencilRelaxCpuKernelConfig, ([out]) => {
      out![0]! += 2e-6;
    });
    expect(() => checkStencilRelaxKernels({ configs: FEW })).toThrow(/1-D S=11 r=1 zero identity ω=0\.5 \(seed 100\): forward vs op path: error 2\.\d+e-6 > 1\.00e-6/);
  });

  it('throws when a gradient is off (dtaps: relative to float64; domega: against both references)', () => {
    tamper(stencilRelaxGradCpuKernelConfig, ([, dtaps]) => {
      dtaps![dtaps!.length - 1]! *= 1.001;
    });
    expect(() => checkStencilRelaxKernels({ configs: FEW })).toThrow(/dtaps vs float64 \(relative\)/);
    restore();
    tamper(stencilRelaxGradCpuKernelConfig, ([, , domega]) => {
      domega![0]! += 0.01;
    });
    expect(() => checkStencilRelaxKernels({ configs: FEW })).toThrow(/domega vs op path: error[^]*domega vs float64/);
  });

  it('throws when a kernel leaks a backend buffer', () => {
    // One buffer per forward call, never freed; the forward runs twice per case (alone and under tf.grads).
    const leaked: tf.TensorInfo[] = [];
    tamper(stencilRelaxCpuKernelConfig, (_outs, args) => {
      leaked.push((args.backend as unknown as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo([1], 'float32', new Float32Array(1)));
    });
    expect(() => checkStencilRelaxKernels({ configs: FEW })).toThrow(/ω=0\.5 \(seed 100\): 2 backend data buffers leaked/);
    leaked.forEach((i) => tf.backend().disposeData(i.dataId));
  });
});
