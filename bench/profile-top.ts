#!/usr/bin/env node
/** Prints the top functions by self time of .cpuprofile files: `node dist/bench/profile-top.js x.cpuprofile [N]`. */
import { readFileSync } from 'node:fs';
import { topSelfTime } from './lib/cpuprofile.js';

const [file, nArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: profile-top file.cpuprofile [N]\n');
  process.exit(2);
}
const top = topSelfTime(JSON.parse(readFileSync(file, 'utf8')), Number(nArg ?? 25));
process.stdout.write(`total ${top.totalMs} ms sampled, idle ${top.idlePercent}%\n`);
for (const r of top.rows) {
  process.stdout.write(
    `${String(r.percent).padStart(5)}%  ${String(r.selfMs).padStart(6)} ms  ${r.fn}  ${r.where}\n`,
  );
}
