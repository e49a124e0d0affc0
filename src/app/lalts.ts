#!/usr/bin/env node
// `npm start`: until the lals server lands, print the tools this package provides.
const tools: Array<[string, string]> = [
  ['flvinfo', 'analyse an FLV file: header, metadata, codec configs, per-tag lines or a summary'],
  ['flvfile2es', 'split an FLV file into H.264/H.265 Annex B and AAC ADTS elementary streams'],
  ['es2flvfile', 'mux H.264/H.265 Annex B and AAC ADTS elementary streams into an FLV file'],
  ['modflvfile', 'rewrite an FLV file: timestamps, tracks, time range, metadata, HEVC signalling'],
];
console.log('lal.ts tools (run each with --help):');
for (const [name, what] of tools) console.log(`  npx ${name.padEnd(12)} ${what}`);
