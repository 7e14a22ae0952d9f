import { SingleBar, Presets } from 'cli-progress';
import type { Observable, Subscription } from 'rxjs';
import type { TrainerEvent } from 'npde';

/**
 * Show training progress on stderr: a live bar on a terminal, a line every
 * 10% otherwise (logs, CI). Returns a function that stops it.
 */
export function showProgress(events$: Observable<TrainerEvent>, label: string, enabled = true): () => void {
  if (!enabled) return () => {};
  const tty = Boolean(process.stderr.isTTY);
  let bar: SingleBar | undefined;
  let nextReport = 0;
  let restored: string | undefined;
  const sub: Subscription = events$.subscribe((e) => {
    if (e.type === 'fit:start') {
      if (tty) {
        bar = new SingleBar(
          { format: `${label.padEnd(6)} {bar} {percentage}% | epoch {value}/{total} | loss {loss} | {eta_formatted} left`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
          Presets.shades_classic,
        );
        bar.start(e.epochs, 0, { loss: '-' });
      } else {
        process.stderr.write(`${label}: training ${e.epochs} epochs on ${e.samples} samples (${e.paramCount} parameters)\n`);
      }
    } else if (e.type === 'epoch:end') {
      if (bar) bar.update(e.epoch, { loss: e.loss.toExponential(3) });
      else if (e.epoch >= nextReport) {
        process.stderr.write(`${label}: epoch ${e.epoch}/${e.epochs} loss ${e.loss.toExponential(3)}${e.valLoss !== undefined ? ` val ${e.valLoss.toExponential(3)}` : ''}\n`);
        nextReport = e.epoch + Math.max(1, Math.ceil(e.epochs / 10));
      }
    } else if (e.type === 'fit:best-restored') {
      restored = `${label}: the final weights were worse (${e.monitor} ${e.finalLoss.toExponential(3)}); kept the best, from epoch ${e.epoch} (${e.monitor} ${e.loss.toExponential(3)})\n`;
    } else if (e.type === 'fit:end' || e.type === 'fit:diverged') {
      if (bar) {
        if (e.type === 'fit:end') bar.update(e.epochs);
        bar.stop();
        bar = undefined;
      }
      if (e.type === 'fit:end' && e.reason !== 'completed') process.stderr.write(`${label}: stopped after ${e.epochs} epochs (${e.reason})\n`);
      if (restored) process.stderr.write(restored);
      restored = undefined;
    }
  });
  return () => {
    bar?.stop();
    sub.unsubscribe();
  };
}
