/**
 * The Node flags lals runs with: its shebang, `npm start` and the benchmarks all use them (a test
 * checks the first two).
 *
 * `--max-semi-space-size=8` (MiB): V8 grows the young generation up to 16 MiB per semi-space under
 * lals's allocation rate (a read buffer per socket read), about 30 MiB of resident memory that holds
 * nothing but short-lived garbage. 8 MiB keeps scavenges rare enough that no more objects survive
 * into the old generation; measured with 1000 publishers it saves about 15 MiB of RSS at no CPU
 * cost within the noise (bench/README.md, "Node flags").
 */
export const LALS_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
