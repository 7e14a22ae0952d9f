/**
 * Command-line options of bench/run.js.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The full benchmark's cases (B×N 1-D, B×H×W 2-D). */
export const DEFAULT_SIZES = '64x1024,64x4096,16x65536,4x256x256';
/** `--quick`: tiny sizes that still exercise both geometries and every column. */
export const QUICK_SIZES = '4x256,2x16x16';

/** Timed runs and warm-up runs of the multi-channel 2-D section (bench/channel2d.mjs), full and --quick. */
export const CHANNEL2D_REPS = { full: { reps: 10, warmup: 2 }, quick: { reps: 2, warmup: 1 } };

export const ALL_COLUMNS = ['fused', 'fusedCopy', 'opPath', 'cpu', 'jsLoop', 'cSse', 'cNative', 'dense', 'torch1', 'torch2'];

export const USAGE = `Usage: node bench/run.js [options]   (npm run bench -- [options])

  --quick            tiny smoke run (sizes ${QUICK_SIZES}, 3 reps, 1 warm-up, a tiny demo);
                     writes to ${path.join(os.tmpdir(), 'npde-bench-quick')} unless --out is given
  --sizes LIST       comma-separated cases: BxN (1-D, radius 1) or BxHxW (2-D, 5-point)
                     (default ${DEFAULT_SIZES})
  --reps N           timed runs per column (median reported; default 20)
  --warmup N         untimed runs before timing (default 3)
  --pass P           forward | forward+backward | both (default both)
  --columns LIST     subset of ${ALL_COLUMNS.join(',')}
  --max-dense-sites N  largest N for the dense column (default 4096)
  --no-native        skip the C references (cSse, cNative)
  --no-torch         skip PyTorch (columns torch1, torch2 and the training comparison)
  --no-demo          skip the end-to-end \`npde demo\` timing
  --no-training      skip the npde-vs-PyTorch training comparison
  --no-channel2d     skip the multi-channel 2-D step (bench/channel2d.mjs: op path, fused,
                     tfjs conv, PyTorch conv2d, the digits model's training step; ${CHANNEL2D_REPS.full.reps} reps,
                     ${CHANNEL2D_REPS.full.warmup} warm-up; --quick ${CHANNEL2D_REPS.quick.reps} reps, ${CHANNEL2D_REPS.quick.warmup} warm-up)
  --training-reps N  interleaved training rounds, median reported (default 5; --quick 1)
  --paired-rounds N  rounds of fused and cSse timed alternately for the fused/cSse ratio
                     (median of the rounds' ratios; default 5, --quick 2, 0: plain column medians)
  --profile          also profile one training step of the demo's model (where the time goes)
  --demo-epochs N    Adam steps of the end-to-end demo (default: the demo's own, 200)
  --out DIR          where results go (default bench/results)
  --no-write         print only
  --help`;

function intArg(name, value, min) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} expects an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** Parse `64x1024,4x256x256` into case specs. */
export function parseSizes(text) {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const parts = s.toLowerCase().split(/[x×]/).map((p) => intArg(`--sizes entry '${s}'`, p, 1));
      if (parts.length === 2) return { dims: 1, B: parts[0], sites: parts[1] };
      if (parts.length === 3) return { dims: 2, B: parts[0], height: parts[1], width: parts[2] };
      throw new Error(`--sizes entry '${s}' is neither BxN nor BxHxW`);
    });
}

export function parseArgs(argv) {
  const o = {
    quick: false,
    sizes: undefined,
    reps: undefined,
    warmup: undefined,
    passes: ['forward', 'forward+backward'],
    columns: [...ALL_COLUMNS],
    maxDenseSites: 4096,
    native: true,
    demo: true,
    torch: true,
    training: true,
    channel2d: true,
    trainingReps: undefined,
    pairedRounds: undefined,
    profile: false,
    demoEpochs: undefined,
    out: undefined,
    write: true,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const next = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--quick':
        o.quick = true;
        break;
      case '--sizes':
        o.sizes = next();
        break;
      case '--reps':
        o.reps = intArg('--reps', next(), 1);
        break;
      case '--warmup':
        o.warmup = intArg('--warmup', next(), 0);
        break;
      case '--pass': {
        const p = next();
        if (p === 'both') o.passes = ['forward', 'forward+backward'];
        else if (p === 'forward' || p === 'forward+backward') o.passes = [p];
        else throw new Error(`--pass expects forward, forward+backward or both, got '${p}'`);
        break;
      }
      case '--columns': {
        const cols = next().split(',').map((c) => c.trim()).filter(Boolean);
        const bad = cols.filter((c) => !ALL_COLUMNS.includes(c));
        if (bad.length) throw new Error(`unknown column(s) ${bad.join(', ')}; known: ${ALL_COLUMNS.join(', ')}`);
        o.columns = cols;
        break;
      }
      case '--max-dense-sites':
        o.maxDenseSites = intArg('--max-dense-sites', next(), 0);
        break;
      case '--no-native':
        o.native = false;
        break;
      case '--no-demo':
        o.demo = false;
        break;
      case '--no-torch':
        o.torch = false;
        break;
      case '--no-training':
        o.training = false;
        break;
      case '--no-channel2d':
        o.channel2d = false;
        break;
      case '--training-reps':
        o.trainingReps = intArg('--training-reps', next(), 1);
        break;
      case '--paired-rounds':
        o.pairedRounds = intArg('--paired-rounds', next(), 0);
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--demo-epochs':
        o.demoEpochs = intArg('--demo-epochs', next(), 1);
        break;
      case '--out':
        o.out = path.resolve(next());
        break;
      case '--no-write':
        o.write = false;
        break;
      case '--help':
      case '-h':
        o.help = true;
        break;
      default:
        throw new Error(`unknown option '${a}'\n\n${USAGE}`);
    }
  }
  o.cases = parseSizes(o.sizes ?? (o.quick ? QUICK_SIZES : DEFAULT_SIZES));
  o.reps ??= o.quick ? 3 : 20;
  o.warmup ??= o.quick ? 1 : 3;
  o.out ??= o.quick ? path.join(os.tmpdir(), 'npde-bench-quick') : path.join(BENCH_DIR, 'results');
  o.trainingReps ??= o.quick ? 1 : 5;
  o.pairedRounds ??= o.quick ? 2 : 5;
  if (!o.torch) o.columns = o.columns.filter((c) => c !== 'torch1' && c !== 'torch2');
  if (!o.native) o.columns = o.columns.filter((c) => c !== 'cSse' && c !== 'cNative');
  return o;
}
