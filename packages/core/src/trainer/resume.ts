import { ErrorCodes, ValidationError, withPluginContext } from '../errors/errors.js';
import type { NeuralPde } from '../model/neural-pde.js';
import { tf, type Tensor, type Variable } from '../tensor/tf.js';
import type { BestWeights } from './best-weights.js';
import { checkSameSettings, decodeCheckpoint, type Checkpoint, type CheckpointStore, type FitSettings } from './checkpoint.js';
import type { FitHistory } from './history.js';
import type { ResolvedOptimizer } from './optimizer-step.js';

/** What a fit resumes with, besides the weights, optimizer state and best weights put in place. @internal */
export interface RestoredFit {
  /** Epochs completed. */
  readonly epoch: number;
  /** Optimizer steps taken. */
  readonly iteration: number;
  /** The first epoch's loss. */
  readonly firstLoss: number | undefined;
  /** The history so far. */
  readonly history: FitHistory;
}

/** The fit being resumed into. @internal */
export interface ResumeTarget {
  /** The model whose weights are set. */
  readonly model: NeuralPde;
  /** The optimizer whose state is set. */
  readonly optimizer: ResolvedOptimizer;
  /** The trainable variables, in problem order. */
  readonly variables: readonly Variable[];
  /** The new fit's settings, which must equal the checkpoint's. */
  readonly settings: FitSettings;
  /** The epoch the new fit ends at. */
  readonly epochs: number;
  /** Where the checkpoint's best weights go, when the fit keeps them. */
  readonly best: BestWeights | undefined;
}

const isStore = (r: CheckpointStore | Checkpoint): r is CheckpointStore => typeof (r as CheckpointStore).load === 'function';

/**
 * Put a checkpoint's state into a new fit: the model's weights, the
 * optimizer's state and the best weights; returns where training stood.
 *
 * @throws `ValidationError` (path `resume`) for an empty store, other settings
 *   or an optimizer without `setState`; (path `epochs`) when the checkpoint is
 *   past the last epoch asked for; `ModelFileError` for a damaged checkpoint.
 * @internal
 */
export async function restoreFit(from: CheckpointStore | Checkpoint, target: ResumeTarget): Promise<RestoredFit> {
  const checkpoint = isStore(from) ? await from.load() : from;
  if (!checkpoint) {
    throw new ValidationError(ErrorCodes.INVALID_SPEC, 'there is no checkpoint to resume from', {
      path: 'resume',
      expected: 'a store holding a checkpoint (written by a fit with `checkpoint: { store }`)',
      received: `an empty store${isStore(from) && from.describe ? ` (${from.describe})` : ''}`,
    });
  }
  const d = decodeCheckpoint(checkpoint, 'resume');
  let bestTaken = false;
  try {
    checkSameSettings(d.json.settings, target.settings);
    if (target.epochs < d.json.epoch) {
      throw new ValidationError(ErrorCodes.INVALID_SPEC, 'the checkpoint is past the last epoch asked for', {
        path: 'epochs',
        expected: `≥ ${d.json.epoch} (epochs count from the start of training)`,
        received: String(target.epochs),
      });
    }
    target.model.setWeights(d.weights);
    restoreOptimizerState(target, d.optimizerState);
    if (target.best && d.json.best && d.bestWeights) {
      target.best.keep(d.json.best.epoch, d.json.best.loss, d.bestWeights);
      bestTaken = true;
    }
    return { epoch: d.json.epoch, iteration: d.json.iteration, firstLoss: d.json.firstLoss ?? undefined, history: d.history };
  } finally {
    tf.dispose([...Object.values(d.weights), ...Object.values(d.optimizerState), ...(bestTaken ? [] : Object.values(d.bestWeights ?? {}))]);
  }
}

function restoreOptimizerState({ optimizer, variables }: ResumeTarget, state: Record<string, Tensor>): void {
  if (Object.keys(state).length === 0) return;
  const { instance, id } = optimizer;
  if (!instance.setState) {
    throw new ValidationError(ErrorCodes.INVALID_SPEC, 'the optimizer cannot restore the state in the checkpoint', {
      path: 'resume',
      expected: 'an optimizer with setState()',
      received: `'${id}' without setState`,
    });
  }
  withPluginContext(id, 'setState', () => instance.setState!(variables, state));
}
