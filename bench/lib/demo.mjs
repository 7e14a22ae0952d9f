/**
 * End to end: `npde demo` (runDemo from @npde/cli, dense model off) with the
 * fused wasm kernels, then with the op path.
 *
 * Forcing the op path: core's stencilRelax runs fused while both
 * NpdeStencilRelax and NpdeStencilRelaxGrad are registered for the active
 * backend (hasFusedStencilRelax), so the benchmark unregisters them for 'wasm'
 * around the op-path run and registers the same configs again afterwards. A
 * switch exported by npde (see OP_PATH_SWITCHES) is used instead when one exists.
 * During the fused run the kernel functions are wrapped to count their calls, which
 * shows whether the demo's model reaches the fused op at all.
 */

export const KERNELS = ['NpdeStencilRelax', 'NpdeStencilRelaxGrad'];
/** The whole-trajectory kernels (all of a block's steps in one call), counted and unregistered with the step kernels where registered. */
export const TRAJECTORY_KERNELS = ['NpdeStencilRelaxTrajectory', 'NpdeStencilRelaxTrajectoryGrad'];
const ALL_KERNELS = [...KERNELS, ...TRAJECTORY_KERNELS];

/** Names of a core switch that forces the op path, if core ever exports one: fn(boolean). */
const OP_PATH_SWITCHES = ['setStencilRelaxOpPath', 'forceStencilRelaxOpPath', 'setStencilRelaxForceOpPath'];

function pathText(npde) {
  if (typeof npde.stencilRelaxPath !== 'function') return null;
  const p = npde.stencilRelaxPath();
  return typeof p === 'string' ? p : p.mode ?? p.path;
}

async function timed(runDemo, options) {
  const r = await runDemo(options);
  return { seconds: r.seconds, trainSeconds: r.detail?.adrSeconds ?? null, epochs: r.detail?.epochs ?? null, finalLoss: r.finalLoss, backend: r.backend };
}

/**
 * @param tf, npde  npde's namespace and tf
 * @param quick     tiny demo (smoke run)
 * @param epochs    override of the demo's Adam steps
 */
export async function endToEnd({ tf, npde, quick, epochs, log }) {
  const notes = [];
  let cli;
  try {
    cli = await import('@npde/cli');
  } catch (err) {
    return { skipped: `@npde/cli cannot be imported (${String(err.message ?? err).split('\n')[0]}); run npm run build`, notes };
  }
  if (typeof cli.runDemo !== 'function') return { skipped: '@npde/cli exports no runDemo', notes };

  const options = { dense: false, ...(quick ? { sites: 16, samples: 64, layers: 2, epochs: 3 } : {}), ...(epochs ? { epochs } : {}) };
  const described = JSON.stringify(options);

  // Make sure the wasm backend (and whatever registers its kernels) is up.
  await tf.setBackend('wasm');
  const configs = ALL_KERNELS.map((k) => tf.getKernel(k, 'wasm'));
  const haveFused = configs.slice(0, KERNELS.length).every(Boolean);
  if (!haveFused) notes.push(`no fused wasm kernels registered (${KERNELS.filter((_, i) => !configs[i]).join(', ')} missing): both runs take the op path`);

  log(`  demo warm-up (tiny)…`);
  await cli.runDemo({ dense: false, sites: 16, samples: 32, layers: 2, epochs: 2 });

  // Fused run, kernels wrapped to count calls.
  const calls = ALL_KERNELS.map(() => 0);
  if (haveFused) {
    ALL_KERNELS.forEach((k, i) => {
      if (!configs[i]) return;
      tf.unregisterKernel(k, 'wasm');
      const orig = configs[i];
      tf.registerKernel({ ...orig, kernelFunc: (args) => (calls[i]++, orig.kernelFunc(args)) });
    });
  }
  let fused;
  try {
    log(`  demo ${described}, fused…`);
    fused = await timed(cli.runDemo, options);
    fused.path = pathText(npde);
  } finally {
    if (haveFused) {
      ALL_KERNELS.forEach((k, i) => {
        if (!configs[i]) return;
        if (tf.getKernel(k, 'wasm')) tf.unregisterKernel(k, 'wasm');
        tf.registerKernel(configs[i]);
      });
    }
  }
  fused.fusedKernelCalls = haveFused ? calls.reduce((a, b) => a + b, 0) : 0;
  fused.fusedForwardCalls = calls[0];
  fused.fusedGradCalls = calls[1];
  fused.trajectoryForwardCalls = calls[2];
  fused.trajectoryGradCalls = calls[3];
  if (haveFused && calls[0] + calls[2] === 0) {
    notes.push('the fused kernel was never called during the demo: its model does not go through stencilRelax, so both runs measure the same path');
  }

  // Op-path run.
  const sw = OP_PATH_SWITCHES.find((n) => typeof npde[n] === 'function');
  let how;
  let opPath;
  if (sw) {
    how = `npde.${sw}(true)`;
    npde[sw](true);
    try {
      log(`  demo ${described}, op path (${how})…`);
      opPath = await timed(cli.runDemo, options);
      opPath.path = pathText(npde);
    } finally {
      npde[sw](false);
    }
  } else {
    how = `tf.unregisterKernel(${ALL_KERNELS.join(', ')}, 'wasm') around the run, registered again afterwards`;
    const present = ALL_KERNELS.map((k) => tf.getKernel(k, 'wasm'));
    present.forEach((cfg, i) => cfg && tf.unregisterKernel(ALL_KERNELS[i], 'wasm'));
    try {
      log(`  demo ${described}, op path…`);
      opPath = await timed(cli.runDemo, options);
      opPath.path = pathText(npde);
      // Something (e.g. a backend setup) may have registered the kernels again during the run.
      const back = ALL_KERNELS.filter((k) => tf.getKernel(k, 'wasm'));
      if (back.length) notes.push(`${back.join(', ')} got registered again during the op-path run: that run may have been partly fused`);
    } finally {
      present.forEach((cfg, i) => {
        if (!cfg) return;
        if (tf.getKernel(ALL_KERNELS[i], 'wasm')) tf.unregisterKernel(ALL_KERNELS[i], 'wasm');
        tf.registerKernel(cfg);
      });
    }
    opPath.fusedKernelCalls = 0; // unregistered for the run (a re-registration is reported above)
  }
  notes.push(
    `op path forced by ${how}; the model still builds each step as one stencilRelax call, which then runs stencilRelaxReference (the model's own fusion: 'off' composition is not reachable through runDemo)`,
  );
  return {
    options,
    fused,
    opPath,
    ratio: fused.seconds > 0 ? opPath.seconds / fused.seconds : null,
    trainRatio: fused.trainSeconds && opPath.trainSeconds ? opPath.trainSeconds / fused.trainSeconds : null,
    notes,
  };
}
