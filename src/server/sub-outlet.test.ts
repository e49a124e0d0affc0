import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nullLogger } from '../base/logger.js';
import type { MediaKind, MediaMessage } from '../base/media-message.js';
import { FlushScheduler, SubOutlet, type SubSink } from './sub-outlet.js';

function msg(type: 8 | 9, kind: MediaKind, size = 1000): MediaMessage {
  return { type, timestampMs: 0, payload: new Uint8Array(size), kind };
}

/** A sink whose socket queue we control. */
function fakeSink() {
  const state = { buffered: 0, written: [] as MediaMessage[], closed: '', aborted: '' };
  const sink: SubSink = {
    id: 'fake',
    protocol: 'test',
    bufferedBytes: () => state.buffered,
    writeBatch: (_bufs, msgs) => {
      state.written.push(...msgs);
    },
    close: (r) => {
      state.closed = r;
    },
    abort: (r) => {
      state.aborted = r;
    },
  };
  return { state, sink };
}

function outlet(sink: SubSink) {
  const dirty: SubOutlet[] = [];
  const o = new SubOutlet(
    sink,
    (m) => Buffer.from(m.payload),
    (x) => dirty.push(x),
    nullLogger,
    {
      softMarkBytes: 10_000,
      hardMarkBytes: 50_000,
    },
  );
  const flush = () => {
    for (const x of dirty.splice(0)) x.flush();
  };
  return { o, flush };
}

describe('SubOutlet back-pressure', () => {
  it('waits for a key frame before the first video frame; audio flows meanwhile', () => {
    const { state, sink } = fakeSink();
    const { o, flush } = outlet(sink);
    o.offer(msg(9, 'video-frame'));
    o.offer(msg(8, 'audio-frame'));
    o.offer(msg(9, 'video-key-frame'));
    o.offer(msg(9, 'video-frame'));
    flush();
    assert.deepEqual(
      state.written.map((m) => m.kind),
      ['audio-frame', 'video-key-frame', 'video-frame'],
    );
    assert.equal(o.stats.droppedVideo, 1);
  });

  it('batches a turn into one write', () => {
    const { state, sink } = fakeSink();
    let writes = 0;
    const counting: SubSink = {
      ...sink,
      writeBatch: (b, m) => {
        writes++;
        sink.writeBatch(b, m);
      },
    };
    const { o, flush } = outlet(counting);
    for (let i = 0; i < 10; i++) o.offer(msg(8, 'audio-frame'));
    flush();
    assert.equal(writes, 1);
    assert.equal(state.written.length, 10);
  });

  it('past the soft mark skips video to the next key frame, keeps audio; past the hard mark aborts', () => {
    const { state, sink } = fakeSink();
    const { o, flush } = outlet(sink);
    // As a socket: its queue grows when the outlet writes (flush) and shrinks as the peer reads.
    o.offer(msg(9, 'video-key-frame'));
    state.buffered = 20_000; // the peer stopped reading: over the soft mark once this is written
    flush();
    o.offer(msg(9, 'video-frame'));
    o.offer(msg(8, 'audio-frame'));
    o.offer(msg(9, 'video-key-frame')); // still over: skipped
    flush();
    assert.deepEqual(
      state.written.map((m) => m.kind),
      ['video-key-frame', 'audio-frame'],
    );
    assert.equal(o.stats.skipEpisodes, 1);
    state.buffered = 0; // caught up
    o.offer(msg(9, 'video-frame')); // not a key frame: still skipping
    o.offer(msg(9, 'video-key-frame')); // resumes here
    o.offer(msg(9, 'video-frame'));
    flush();
    assert.deepEqual(
      state.written.slice(2).map((m) => m.kind),
      ['video-key-frame', 'video-frame'],
    );
    o.offer(msg(8, 'audio-frame'));
    state.buffered = 60_000; // stopped again: over the hard mark once written
    flush();
    o.offer(msg(8, 'audio-frame'));
    assert.match(state.aborted, /hard mark/);
    assert.equal(o.isClosed, true);
    o.offer(msg(8, 'audio-frame'));
    flush();
    assert.equal(state.written.length, 5, 'nothing after the abort');
  });

  it('a snapshot starts video at its key frame', () => {
    const { state, sink } = fakeSink();
    const { o, flush } = outlet(sink);
    o.sendSnapshot([
      msg(9, 'video-sequence-header'),
      msg(9, 'video-frame'),
      msg(9, 'video-key-frame'),
      msg(9, 'video-frame'),
    ]);
    o.offer(msg(9, 'video-frame'));
    flush();
    assert.deepEqual(
      state.written.map((m) => m.kind),
      ['video-sequence-header', 'video-key-frame', 'video-frame', 'video-frame'],
    );
  });

  it('the write timeout drops a player that has bytes queued and flushes none of them', () => {
    const { state, sink } = fakeSink();
    let flushed = 0;
    sink.flushedBytes = () => flushed;
    const o = new SubOutlet(
      sink,
      (m) => Buffer.from(m.payload),
      () => {},
      nullLogger,
      { writeTimeoutMs: 1000 },
    );
    o.checkWriteStall(0);
    state.buffered = 5000; // queued, and it moves: fine
    flushed = 100;
    o.checkWriteStall(900);
    flushed = 200;
    o.checkWriteStall(1800);
    assert.equal(o.isClosed, false);
    o.checkWriteStall(2700); // stuck since 1800
    assert.equal(o.isClosed, false);
    o.checkWriteStall(2800);
    assert.equal(o.isClosed, true);
    assert.match(state.aborted, /none written for 1000 ms/);
  });

  it('an idle player (nothing queued) never times out', () => {
    const { sink } = fakeSink();
    sink.flushedBytes = () => 0;
    const o = new SubOutlet(
      sink,
      (m) => Buffer.from(m.payload),
      () => {},
      nullLogger,
      { writeTimeoutMs: 1000 },
    );
    for (let t = 0; t < 10_000; t += 500) o.checkWriteStall(t);
    assert.equal(o.isClosed, false);
  });
});

describe('FlushScheduler', () => {
  const writesOf = async (mergeWriteMs: number): Promise<number[]> => {
    const { sink } = fakeSink();
    const batches: number[] = [];
    const counting: SubSink = { ...sink, writeBatch: (b) => batches.push(b.length) };
    const sched = new FlushScheduler(mergeWriteMs);
    const o = new SubOutlet(counting, (m) => Buffer.from(m.payload), sched.schedule, nullLogger);
    // Ten messages, one per event-loop turn, over about 20 ms.
    for (let i = 0; i < 10; i++) {
      o.offer(msg(8, 'audio-frame'));
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, mergeWriteMs + 20));
    return batches;
  };

  it('flushes every turn by default: one write per message arriving on its own turn', async () => {
    assert.deepEqual(await writesOf(0), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('with merge_write_ms batches the messages of each period into one write', async () => {
    const batches = await writesOf(1000);
    assert.deepEqual(batches, [10]);
  });
});
