#!/usr/bin/env node
import { runPullTool } from './load/pull-cli.js';

runPullTool({
  name: 'httpflvpull',
  protocol: 'httpflv',
  summary:
    'pull an HTTP-FLV or WebSocket-FLV stream to an FLV file (or discard it); with -n, the multi-player load tool',
  usage: 'httpflvpull -i http://host/app/stream.flv [-o out.flv] [-n N] [options]',
  urlHelp:
    'http://, https://, ws:// or wss:// URL (redirects are followed); {i} is replaced by the session number',
  schemes: /^(https?|wss?):\/\//i,
  examples: [
    '  httpflvpull -i http://127.0.0.1:8080/live/test.flv -o test.flv',
    '  httpflvpull -i ws://127.0.0.1:8080/live/test.flv -n 1000',
  ],
});
