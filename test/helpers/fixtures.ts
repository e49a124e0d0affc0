import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FlvHeader, type FlvTag, parseFlvFile } from '../../src/format/flv/index.js';

/** The FLV fixtures in testdata/ (made by scripts/make-fixtures.mjs); each has .truncated and .corrupt twins. */
export const FIXTURES = [
  'avc-aac',
  'avc-bframes-aac',
  'avc-only',
  'aac-only',
  'hevc-aac-id12',
  'hevc-aac-enhanced',
] as const;
export type FixtureName = (typeof FIXTURES)[number];

/** Path of a fixture (tests run from the repo root). */
export function fixturePath(name: string, twin?: 'truncated' | 'corrupt'): string {
  return join(process.cwd(), 'testdata', `${name}${twin ? `.${twin}` : ''}.flv`);
}

export function readFixture(name: string): { header: FlvHeader; tags: FlvTag[] } {
  const { header, tags } = parseFlvFile(readFileSync(fixturePath(name)));
  if (!header) throw new Error(`fixture ${name}: no FLV header`);
  return { header, tags };
}

/** Path of a compiled CLI (dist/src/app/NAME.js, or the same tree the test runs from). */
export function toolPath(name: string): string {
  return new URL(`../../src/app/${name}.js`, import.meta.url).pathname;
}
