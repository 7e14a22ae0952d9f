import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cpuBackend } from '@npde/backend-cpu';
import { ErrorCodes, NpdeError, Registry, tf } from '@npde/core';

// What tfjs-node-gpu would do on import, simulated: this machine cannot install it.
const loader = vi.hoisted(() => ({
  resolveTfjsNodeGpu: vi.fn(),
  findNativeAddon: vi.fn(),
  importTfjsNodeGpu: vi.fn(),
}));
vi.mock('./loader.js', () => loader);
const gpu = vi.hoisted(() => ({ nvidiaGpuVisibility: vi.fn() }));
vi.mock('./gpu-visibility.js', () => gpu);

const { cudaBackend } = await import('./cuda-backend.js');

/** Register a stand-in for tfjs-node's NodeJSKernelBackend and make it active, as tfjs-node's index.js does. */
function fakeTfjsNode(fields: { isGPUPackage: boolean; isUsingGpuDevice: boolean }): () => Promise<unknown> {
  return async () => {
    const backend = { ...fields, dispose: () => {}, numDataIds: () => 0 };
    tf.registerBackend('tensorflow', () => backend as unknown as tf.KernelBackend, 3);
    await tf.setBackend('tensorflow');
    return {};
  };
}

describe('cudaBackend once @tensorflow/tfjs-node-gpu is installed (simulated)', () => {
  beforeEach(async () => {
    loader.resolveTfjsNodeGpu.mockReturnValue({ entry: '/opt/app/node_modules/@tensorflow/tfjs-node-gpu/dist/index.js', packageDir: '/opt/app/node_modules/@tensorflow/tfjs-node-gpu' });
    loader.findNativeAddon.mockReturnValue('/opt/app/node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node');
    gpu.nvidiaGpuVisibility.mockReturnValue({ visible: true });
    await tf.setBackend('cpu');
  });
  afterEach(async () => {
    await tf.setBackend('cpu');
    if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
    vi.clearAllMocks();
  });

  it('probe() is available when the addon is there and a GPU is visible', async () => {
    await expect(cudaBackend.probe!()).resolves.toEqual({ available: true });
    expect(loader.importTfjsNodeGpu).not.toHaveBeenCalled();
  });

  it('probe() names a missing native addon and how to rebuild it', async () => {
    loader.findNativeAddon.mockReturnValue(undefined);
    const r = await cudaBackend.probe!();
    expect(r.available).toBe(false);
    expect(r.reason).toMatch(/native addon .* is missing/);
    expect(r.reason).toContain('npm rebuild @tensorflow/tfjs-node-gpu');
  });

  it('probe() passes on the reason no GPU is visible', async () => {
    gpu.nvidiaGpuVisibility.mockReturnValue({ visible: false, reason: 'no NVIDIA GPU is visible (...)' });
    const r = await cudaBackend.probe!();
    expect(r).toMatchObject({ available: false });
    expect(r.reason).toMatch(/^no NVIDIA GPU is visible/);
    expect(r.reason).toContain('nvidia-smi');
  });

  it('setup() turns tfjs-node\'s "addon not found" into a rebuild hint', async () => {
    loader.importTfjsNodeGpu.mockRejectedValue(
      new Error(
        'The Node.js native addon module (tfjs_binding.node) can not be found at path: /x/lib/napi-v8/tfjs_binding.node. \nPlease run command ...',
      ),
    );
    const err = (await cudaBackend.setup({}).catch((e: unknown) => e)) as NpdeError;
    expect(err).toBeInstanceOf(NpdeError);
    expect(err.code).toBe(ErrorCodes.BACKEND_UNAVAILABLE);
    expect(err.message).toContain('installed but its native addon is missing');
    expect(err.hint).toContain('npm rebuild @tensorflow/tfjs-node-gpu');
    expect((err as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
  });

  it('setup() says so when TensorFlow loads but finds no GPU, and leaves the previous backend active', async () => {
    loader.importTfjsNodeGpu.mockImplementation(fakeTfjsNode({ isGPUPackage: true, isUsingGpuDevice: false }));
    gpu.nvidiaGpuVisibility.mockReturnValue({ visible: false, reason: 'no NVIDIA GPU is visible (...)' });
    const err = (await cudaBackend.setup({}).catch((e: unknown) => e)) as NpdeError;
    expect(err).toBeInstanceOf(NpdeError);
    expect(err.message).toContain('TensorFlow found no GPU');
    expect(err.received).toMatch(/no NVIDIA GPU is visible/);
    expect(err.hint).toMatch(/nvidia-smi/);
    expect(err.hint).toMatch(/libcudnn\.so\.8/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('setup() refuses the CPU build @tensorflow/tfjs-node when it registered "tensorflow" first', async () => {
    loader.importTfjsNodeGpu.mockImplementation(fakeTfjsNode({ isGPUPackage: false, isUsingGpuDevice: false }));
    await expect(cudaBackend.setup({})).rejects.toThrow(/CPU build @tensorflow\/tfjs-node/);
  });

  it("ready({ backend: 'cuda' }) succeeds when TensorFlow uses the GPU", async () => {
    loader.importTfjsNodeGpu.mockImplementation(fakeTfjsNode({ isGPUPackage: true, isUsingGpuDevice: true }));
    const report = await new Registry().register(cudaBackend, cpuBackend).ready({ backend: 'cuda' });
    expect(report).toEqual({ name: 'tensorflow', id: '@npde/backend-cuda/cuda', failed: [] });
    expect(loader.importTfjsNodeGpu).toHaveBeenCalledWith('/opt/app/node_modules/@tensorflow/tfjs-node-gpu/dist/index.js');
  });
});
