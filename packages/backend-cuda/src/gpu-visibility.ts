import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Whether an NVIDIA GPU looks visible to this process, and if not, why. */
export interface GpuVisibility {
  /** True when a GPU appears usable (or the platform gives no cheap way to tell). */
  readonly visible: boolean;
  /** Why no GPU is visible. */
  readonly reason?: string;
}

/**
 * Cheap check for an NVIDIA GPU, without loading CUDA: `CUDA_VISIBLE_DEVICES`
 * must not hide every device and, on Linux, the NVIDIA driver must list a GPU
 * under `/proc/driver/nvidia/gpus` (or expose `/dev/nvidia<N>`). The
 * authoritative answer comes from TensorFlow itself during setup.
 */
export function nvidiaGpuVisibility(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, root = '/'): GpuVisibility {
  const cvd = env['CUDA_VISIBLE_DEVICES'];
  if (cvd !== undefined && (cvd.trim() === '' || cvd.trim().startsWith('-1'))) {
    return { visible: false, reason: `CUDA_VISIBLE_DEVICES=${JSON.stringify(cvd)} hides every GPU; unset it or list a device index` };
  }
  if (platform !== 'linux') return { visible: true };
  const gpus = path.join(root, 'proc/driver/nvidia/gpus');
  const listed = existsSync(gpus) && readdirSync(gpus).length > 0;
  const dev = path.join(root, 'dev');
  const devices = existsSync(dev) && readdirSync(dev).some((d) => /^nvidia\d+$/.test(d));
  if (listed || devices) return { visible: true };
  return {
    visible: false,
    reason: 'no NVIDIA GPU is visible (the NVIDIA driver lists none under /proc/driver/nvidia/gpus and there is no /dev/nvidia0); `nvidia-smi` should list the GPU',
  };
}
