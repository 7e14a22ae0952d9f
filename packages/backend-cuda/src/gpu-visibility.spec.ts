import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nvidiaGpuVisibility } from './gpu-visibility.js';

describe('nvidiaGpuVisibility', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'npde-gpu-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const fake = (name: string, files: string[]): string => {
    const dir = path.join(root, name);
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), '');
    }
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };

  it('sees no GPU on a Linux machine without the NVIDIA driver', () => {
    const r = nvidiaGpuVisibility({}, 'linux', fake('none', ['dev/null']));
    expect(r.visible).toBe(false);
    expect(r.reason).toMatch(/no NVIDIA GPU is visible/);
  });

  it('sees a GPU the driver lists, or a /dev/nvidia<N> device', () => {
    expect(nvidiaGpuVisibility({}, 'linux', fake('proc', ['proc/driver/nvidia/gpus/0000:00:1e.0/information'])).visible).toBe(true);
    expect(nvidiaGpuVisibility({}, 'linux', fake('dev', ['dev/nvidia0', 'dev/nvidiactl'])).visible).toBe(true);
    expect(nvidiaGpuVisibility({}, 'linux', fake('ctl-only', ['dev/nvidiactl'])).visible).toBe(false);
  });

  it('honours CUDA_VISIBLE_DEVICES that hides every device', () => {
    const gpu = fake('gpu', ['dev/nvidia0']);
    for (const cvd of ['', '-1', ' -1,0']) {
      const r = nvidiaGpuVisibility({ CUDA_VISIBLE_DEVICES: cvd }, 'linux', gpu);
      expect(r.visible).toBe(false);
      expect(r.reason).toContain('CUDA_VISIBLE_DEVICES');
    }
    expect(nvidiaGpuVisibility({ CUDA_VISIBLE_DEVICES: '0' }, 'linux', gpu).visible).toBe(true);
  });

  it('leaves the answer to TensorFlow where there is no cheap check', () => {
    expect(nvidiaGpuVisibility({}, 'win32', fake('win', [])).visible).toBe(true);
  });
});
