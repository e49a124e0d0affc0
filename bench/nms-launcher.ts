/**
 * Starts node-media-server from a JSON config (argv[2]) through its API, for the benchmark: its
 * logger is set to warn after construction (the constructor forces debug, which logs every
 * connection to stdout), and SIGTERM/SIGINT stop it and exit.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Nms {
  run(): Promise<void> | void;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const NodeMediaServer = require('node-media-server') as new (config: unknown, configPath: string) => Nms;
const logger = require('node-media-server/src/core/logger.js') as { level: string };

const configPath = process.argv[2];
if (configPath === undefined) {
  process.stderr.write('usage: nms-launcher config.json\n');
  process.exit(2);
}
const config: unknown = JSON.parse(readFileSync(configPath, 'utf8'));
const nms = new NodeMediaServer(config, configPath);
logger.level = 'warn';
void nms.run();

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(0), 3000);
  force.unref();
  void nms.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
