import { parseArgs } from 'node:util';
import { isLalError } from '../util/errors.js';

/** One option of a CLI: parsed by node:util parseArgs and listed by --help. */
export interface CliOption {
  short?: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  /** The value name shown in --help, e.g. 'file'. */
  arg?: string;
  help: string;
  default?: string | boolean;
}

export interface CliSpec {
  name: string;
  /** One-line summary shown first by --help. */
  summary: string;
  usage: string;
  options: Record<string, CliOption>;
  /** Extra text after the option list (examples). */
  epilog?: string;
}

/** A user-facing error: printed as one line, exit code 1 (or the given code). */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export function helpText(spec: CliSpec): string {
  const lines = [`${spec.name}: ${spec.summary}`, '', `usage: ${spec.usage}`, '', 'options:'];
  const all: Record<string, CliOption> = {
    ...spec.options,
    help: { short: 'h', type: 'boolean', help: 'print this help and exit' },
  };
  for (const [name, o] of Object.entries(all)) {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` <${o.arg ?? 'value'}>` : ''}`;
    const def = o.default !== undefined && o.default !== false ? ` (default: ${String(o.default)})` : '';
    lines.push(`  ${flag.padEnd(30)} ${o.help}${def}`);
  }
  if (spec.epilog) lines.push('', spec.epilog);
  return lines.join('\n');
}

export type ParsedValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/**
 * Parses argv for `spec`; prints help and exits 0 on -h/--help; a bad flag is a CliError (exit 2).
 */
export function parseCli(spec: CliSpec, argv: string[] = process.argv.slice(2)): ParsedValues {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  let values: ParsedValues;
  try {
    values = parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (e) {
    throw new CliError(`${spec.name}: ${(e as Error).message} (see --help)`, 2);
  }
  if (values.help) {
    process.stdout.write(`${helpText(spec)}\n`);
    process.exit(0);
  }
  for (const [name, o] of Object.entries(spec.options)) {
    if (values[name] === undefined && o.default !== undefined) values[name] = o.default;
  }
  return values;
}

/** The string value of a required option, or a CliError naming it. */
export function requireString(spec: CliSpec, values: ParsedValues, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') {
    const short = spec.options[name]?.short;
    throw new CliError(`${spec.name}: missing ${short ? `-${short}/` : ''}--${name} (see --help)`, 2);
  }
  return v;
}

/** Runs a CLI main: any error ends as one clear line on stderr and a non-zero exit code. */
export function runMain(name: string, main: () => Promise<void> | void): void {
  Promise.resolve()
    .then(main)
    .catch((e: unknown) => {
      if (e instanceof CliError) {
        process.stderr.write(`${e.message}\n`);
        process.exit(e.exitCode);
      }
      const err = e as NodeJS.ErrnoException;
      const msg = isLalError(e)
        ? e.message
        : err.code === 'ENOENT'
          ? `no such file: ${err.path ?? err.message}`
          : (err.message ?? String(e));
      process.stderr.write(`${name}: ${msg}\n`);
      process.exit(1);
    });
}
