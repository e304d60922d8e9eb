// The sampler's progress bar (cli-progress): steps done, mean acceptance, elapsed time. Drawn
// only on a terminal; under a pipe, a log file or mpirun nothing is drawn. cli-progress is an
// optional peer dependency, loaded only for `progress: true` (emcee's progress=True needs tqdm
// the same way), so that the library does not carry a terminal widget it may never draw.

import { ValidationError } from '@parafit/core'
import type { SingleBar } from 'cli-progress'
import type { SampleProgress } from './types.ts'

export interface StepProgressBar {
  update(progress: SampleProgress): void
  stop(): void
}

export async function stepProgressBar(stream: NodeJS.WriteStream = process.stderr): Promise<StepProgressBar> {
  let cliProgress: typeof import('cli-progress')
  try {
    cliProgress = await import('cli-progress')
  } catch (error) {
    throw new ValidationError(
      `progress: true draws its bar with cli-progress, which cannot be loaded (${(error as Error).message}): ` +
        'npm install cli-progress, or run without progress (onProgress gives the same figures)',
      'progress',
    )
  }
  const bar: SingleBar | undefined = stream.isTTY
    ? new cliProgress.SingleBar({
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
