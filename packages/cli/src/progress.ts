// The progress bar on long runs (cli-progress): evaluations against the budget, the best loss,
// and the elapsed time. Only on a terminal; in a log file or a pipe, nothing is drawn.

import type { FitProgress } from '@parafit/fitter'
import { SingleBar } from 'cli-progress'

export interface ProgressDisplay {
  update(progress: FitProgress): void
  stop(): void
}

export const noProgress: ProgressDisplay = { update() {}, stop() {} }

export function progressBar(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (!stream.isTTY) return noProgress
  const bar = new SingleBar({
    stream,
    format: '  {bar} {value}/{total} evaluations | best {best} | {duration_formatted}',
    barsize: 30,
    hideCursor: true,
    clearOnComplete: true,
    // Redraw on a timer, not per batch: a fast objective would otherwise spend its time drawing.
    fps: 5,
  })
  let started = false
  return {
    update(p) {
      const best = Number.isFinite(p.best) ? p.best.toPrecision(6) : '-'
      if (!started) {
        bar.start(p.budget, p.nEvals, { best })
        started = true
      } else {
        bar.update(p.nEvals, { best })
      }
    },
    stop() {
      if (started) bar.stop()
    },
  }
}
