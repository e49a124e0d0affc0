#!/usr/bin/env -S node --max-semi-space-size=8
import { existsSync } from 'node:fs';
import { applyOverrides, ConfigError, defaultConfig, type LalsConfig, loadConfig } from '../server/config.js';
import { LalsServer } from '../server/lals-server.js';
import { createLogger } from '../server/logger.js';
import { CliError, type CliSpec, parseCli, runMain } from './cli.js';

const spec: CliSpec = {
  name: 'lals',
  summary: 'the lal.ts live server: RTMP publish/play, HTTP-FLV and WebSocket-FLV play',
  usage:
    'lals [-c conf/lals.conf.json] [--rtmp-addr :1935] [--http-addr :8080] [--set section.key=value ...]',
  options: {
    config: {
      short: 'c',
      type: 'string',
      arg: 'file',
      help: 'JSON configuration file',
      default: 'conf/lals.conf.json',
    },
    'rtmp-addr': { type: 'string', arg: 'addr', help: 'RTMP listen address (rtmp.addr)' },
    'http-addr': {
      type: 'string',
      arg: 'addr',
      help: 'HTTP-FLV/WS-FLV listen address (httpflv.sub_listen_addr)',
    },
    'pprof-addr': {
      type: 'string',
      arg: 'addr',
      help: 'debug endpoint address (pprof.addr; enable with --set pprof.enable=true)',
    },
    'log-level': { type: 'string', arg: 'level', help: 'log level: 1..5 or debug|info|warn|error|fatal' },
    'log-file': { type: 'string', arg: 'file', help: 'log file ("" for none)' },
    set: { type: 'string', multiple: true, arg: 'section.key=value', help: 'override any configuration key' },
  },
  epilog: 'A bad configuration is one line naming the key, and exit code 2. SIGINT/SIGTERM stop gracefully.',
};

runMain(spec.name, async () => {
  const v = parseCli(spec);
  const path = typeof v.config === 'string' ? v.config : 'conf/lals.conf.json';
  let cfg: LalsConfig;
  try {
    const base = existsSync(path) || v.config !== 'conf/lals.conf.json' ? loadConfig(path) : defaultConfig();
    cfg = applyOverrides(base, {
      ...(typeof v['rtmp-addr'] === 'string' ? { rtmpAddr: v['rtmp-addr'] } : {}),
      ...(typeof v['http-addr'] === 'string' ? { httpAddr: v['http-addr'] } : {}),
      ...(typeof v['pprof-addr'] === 'string' ? { pprofAddr: v['pprof-addr'] } : {}),
      ...(typeof v['log-level'] === 'string' ? { logLevel: v['log-level'] } : {}),
      ...(typeof v['log-file'] === 'string' ? { logFilename: v['log-file'] } : {}),
      set: Array.isArray(v.set) ? v.set.filter((x): x is string => typeof x === 'string') : [],
    });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`${spec.name}: ${e.message}`, 2);
    throw e;
  }
  const log = createLogger(cfg.log);
  const server = new LalsServer(cfg, log);
  let addrs: Awaited<ReturnType<LalsServer['start']>>;
  try {
    addrs = await server.start();
  } catch (e) {
    log.error(`cannot start: ${(e as Error).message}`);
    await log.close();
    throw new CliError(`${spec.name}: cannot start: ${(e as Error).message}`, 1);
  }
  log.info(
    `lals started (pid ${process.pid}): rtmp ${addrs.rtmpPort || 'off'}, http ${addrs.httpPort || 'off'}`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    void server
      .stop()
      .then(() => log.info('lals stopped'))
      .then(() => log.close())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('uncaughtException', (e) => {
    log.error(`uncaught exception: ${e.stack ?? e.message}`);
  });
  process.on('unhandledRejection', (e) => {
    log.error(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  });
});
