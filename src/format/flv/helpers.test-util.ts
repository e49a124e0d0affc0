/** Helpers shared by the FLV tests (not part of the library). */
import assert from 'node:assert/strict';
import { LalError } from '../../util/errors.js';

/** Asserts that `fn` throws an instance of `cls` whose message starts with `flv: `. */
export function throwsFlv(
  fn: () => unknown,
  cls: abstract new (...args: never[]) => LalError = LalError,
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(
      e instanceof cls,
      `expected ${cls.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
    );
    assert.match((e as Error).message, /^flv: /);
    return true;
  });
}

/** Runs `fn`; a LalError is an accepted outcome, anything else (a RangeError, a TypeError) fails the test. */
export function lalErrorOrValue<T>(fn: () => T): T | LalError {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LalError) return e;
    throw e;
  }
}
