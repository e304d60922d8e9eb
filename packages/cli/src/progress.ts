// The progress of a run in the manner of tqdm: done/total, rate, time so far and left, and what
// the run knows so far (the best loss, the acceptance, log Z). On a terminal one line redrawn by
// cli-progress; in a log file or a pipe a plain line at every tenth of the run, so a batch job's
// output shows how far it got without filling with carriage returns. Both commands use it.

import { SingleBar } from 'cli-progress'

export interface ProgressDisplay {
  /** `done` of `total` units; `postfix` the run's own figures, e.g. "acceptance 0.31". */
  update(done: number, postfix: string): void
  stop(): void
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const pad = (n: number) => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`
}

/** "2250/5000 steps [00:12<00:15, 187.5 steps/s]": tqdm's figures, from the counts and the time. */
function progressFigures(done: number, total: number, unit: string, seconds: number): string {
  const rate = seconds > 0 ? done / seconds : 0
  const left = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY
  const shown = rate >= 100 ? rate.toFixed(0) : rate.toPrecision(3)
  return `${done}/${total} ${unit} [${clock(seconds)}<${clock(left)}, ${shown} ${unit}/s]`
}

export function progressLine(
  stream: NodeJS.WriteStream,
  options: { total: number; unit: string; enabled: boolean; startedAt?: number },
): ProgressDisplay {
  const { total, unit } = options
  // When the run began (performance.now()), if before this display was made.
  const started = options.startedAt ?? performance.now()
  const seconds = () => (performance.now() - started) / 1000
  if (!options.enabled) return { update() {}, stop() {} }
  if (!stream.isTTY) {
    let nextTenth = 1
    return {
      update(done, postfix) {
        if (done < (nextTenth * total) / 10 && done < total) return
        while (nextTenth * total <= 10 * done) nextTenth++
        stream.write(`  ${progressFigures(done, total, unit, seconds())}, ${postfix}\n`)
      },
      stop() {},
    }
  }
  const bar = new SingleBar({
    stream,
    format: `  {percentage}%|{bar}| {figures}, {postfix}`,
    barsize: 25,
    hideCursor: true,
    clearOnComplete: true,
    fps: 5,
  })
  let running = false
  return {
    update(done, postfix) {
      const payload = { figures: progressFigures(done, total, unit, seconds()), postfix }
      if (!running) {
        bar.start(total, done, payload)
        running = true
      } else bar.update(done, payload)
    },
    stop() {
      if (running) bar.stop()
    },
  }
}
