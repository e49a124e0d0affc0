#!/usr/bin/env node
import { runPullTool } from './load/pull-cli.js';

runPullTool({
  name: 'rtmppull',
  protocol: 'rtmp',
  summary: 'pull an RTMP stream to an FLV file (or discard it); with -n, the multi-player load tool',
  usage: 'rtmppull -i rtmp://host/app/stream [-o out.flv] [-n N] [options]',
  urlHelp: 'rtmp:// or rtmps:// URL; {i} is replaced by the session number (N streams)',
  schemes: /^rtmps?:\/\//i,
  examples: [
    '  rtmppull -i rtmp://127.0.0.1/live/test -o test.flv',
    '  rtmppull -i rtmp://127.0.0.1/live/test -n 1000            # 1000 players of one stream',
    '  rtmppull -i rtmp://127.0.0.1/live/stream_{i} -n 1000      # one player for each of 1000 streams',
  ],
});
