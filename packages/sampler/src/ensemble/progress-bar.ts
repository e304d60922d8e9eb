// The sampler's progress bar (cli-progress): steps done, mean acceptance, elapsed time. Drawn
// only on a terminal; under a pipe, a log file or mpirun nothing is drawn.

import { SingleBar } from 'cli-progress'
import type { SampleProgress } from './ensemble-sampler.ts'

export function stepProgressBar(stream: NodeJS.WriteStream = process.stderr): {
  update(progress: SampleProgress): void
  stop(): void
} {
  const bar = stream.isTTY
    ? new SingleBar({
        stream,
        format: '  {bar} {value}/{total} steps | acceptance {acceptance} | {duration_formatted}',
        barsize: 30,
        hideCursor: true,
        clearOnComplete: true,
        fps: 5,
      })
    : undefined
  let started = false
  return {
    update(p) {
      const acceptance = p.acceptanceFraction.toFixed(3)
      if (!started) bar?.start(p.nSteps, p.step, { acceptance })
      else bar?.update(p.step, { acceptance })
      started = true
    },
    stop() {
      if (started) bar?.stop()
    },
  }
}
