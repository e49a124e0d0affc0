// Every fixture parses completely; its truncated twin ends in ShortBufferError and its corrupt twin
// in a typed error, never anything else.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FlvReader } from '../src/format/flv/index.js';
import { LalError, ShortBufferError } from '../src/util/errors.js';
import { FIXTURES, fixturePath } from './helpers/fixtures.js';

function readAll(file: string, chunk: number): number {
  const data = readFileSync(file);
  const r = new FlvReader({ strictPrevTagSize: true });
  let tags = 0;
  for (let p = 0; p < data.length; p += chunk) {
    for (const item of r.feed(data.subarray(p, p + chunk))) if (item.kind === 'tag') tags++;
  }
  r.end();
  return tags;
}

describe('fixtures', () => {
  for (const name of FIXTURES) {
    it(`${name}: whole, truncated and corrupt`, () => {
      const whole = readAll(fixturePath(name), 4096);
      assert.ok(whole > 50, `${name} has tags`);
      assert.equal(readAll(fixturePath(name), 7), whole, 'same tags in 7-byte chunks');
      assert.throws(() => readAll(fixturePath(name, 'truncated'), 4096), ShortBufferError);
      assert.throws(
        () => readAll(fixturePath(name, 'corrupt'), 4096),
        (e: unknown) => e instanceof LalError && !(e instanceof ShortBufferError) && /^flv: /.test(e.message),
      );
    });
  }
});
