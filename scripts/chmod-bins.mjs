#!/usr/bin/env node
// After tsc: make every CLI named in package.json "bin" executable (tsc writes files without +x).
import { chmodSync, existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
for (const file of Object.values(pkg.bin ?? {})) {
  if (existsSync(file)) chmodSync(file, 0o755);
}
