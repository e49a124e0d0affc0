import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LALS_NODE_FLAGS } from '../../src/app/lals-node-flags.js';
import { toolPath } from '../helpers/fixtures.js';

describe('lals runs with its Node flags', () => {
  const lals = toolPath('lals');

  it('in its shebang (npx lals, ./lals.js) and in `npm start`', () => {
    const shebang = readFileSync(lals, 'utf8').split('\n', 1)[0] ?? '';
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      scripts: { start: string };
    };
    assert.ok(LALS_NODE_FLAGS.length > 0);
    for (const f of LALS_NODE_FLAGS) {
      assert.ok(shebang.startsWith('#!/usr/bin/env -S node ') && shebang.includes(f), `shebang: ${shebang}`);
      assert.ok(pkg.scripts.start.includes(f), `npm start: ${pkg.scripts.start}`);
    }
  });

  it('the shebang works: the file runs directly', () => {
    const out = execFileSync(lals, ['--help'], { encoding: 'utf8' });
    assert.match(out, /^lals: /);
  });
});
