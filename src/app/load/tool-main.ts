import type { ToolReport } from './tool-report.js';

/** What the tool mains drive: a set of sessions that ends by itself or when stopped. */
export interface ToolRunner {
  /** Starts the sessions (spread over time). */
  start(): void;
  /** Resolves when every session is done (ended, failed for good, or stopped). */
  readonly done: Promise<void>;
  /** Stops cleanly: sessions closed, output files finished; resolves when that is done. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs a tool until its sessions are done, `durationMs` passes (0 = no limit), or SIGINT/SIGTERM
 * arrives (a second signal exits at once, code 130); then prints the summary and exits with the
 * report's exit code.
 */
export async function runTool(report: ToolReport, runner: ToolRunner, durationMs: number): Promise<void> {
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`${sig} again: exiting without a clean stop\n`);
      process.exit(130);
    }
    report.note(`${sig}: stopping`);
    void runner.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = durationMs > 0 ? setTimeout(() => void runner.stop(), durationMs) : undefined;
  report.start();
  runner.start();
  await runner.done;
  if (timer !== undefined) clearTimeout(timer);
  report.stop();
  report.printSummary();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.exit(report.exitCode());
}
