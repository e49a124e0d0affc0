import type { Logger } from '../base/logger.js';
import { Group, type GroupOptions } from './group.js';

export interface GroupManagerOptions extends GroupOptions {
  /** Most live groups (streams with a publisher or players). Default 1000. */
  maxStreams?: number;
  /** Most players per stream. Default 5000. */
  maxSubsPerStream?: number;
}

/** All groups of the server, keyed by `app/stream`; a group goes away when it has neither publisher nor players. */
export class GroupManager {
  private readonly groups = new Map<string, Group>();
  private readonly logger: Logger;
  private readonly opts: GroupManagerOptions;

  constructor(logger: Logger, opts: GroupManagerOptions = {}) {
    this.logger = logger;
    this.opts = opts;
  }

  get size(): number {
    return this.groups.size;
  }

  get(app: string, streamName: string): Group | undefined {
    return this.groups.get(`${app}/${streamName}`);
  }

  /** The group for `app/stream`, created if needed; an Error when the stream limit is reached. */
  acquire(app: string, streamName: string): Group | Error {
    const key = `${app}/${streamName}`;
    let g = this.groups.get(key);
    if (g) return g;
    const max = this.opts.maxStreams ?? 1000;
    if (this.groups.size >= max) return new Error(`too many streams (limit ${max})`);
    g = new Group(app, streamName, this.logger, this.opts);
    this.groups.set(key, g);
    this.logger.debug(`[${key}] group created`);
    return g;
  }

  /** Whether `g` may take one more player. */
  canAddSub(g: Group): Error | undefined {
    const max = this.opts.maxSubsPerStream ?? 5000;
    return g.subCount >= max ? new Error(`too many players on ${g.key} (limit ${max})`) : undefined;
  }

  /** Drops `g` if it has neither publisher nor players. */
  release(g: Group): void {
    if (g.isEmpty && this.groups.get(g.key) === g) {
      this.groups.delete(g.key);
      this.logger.debug(`[${g.key}] group removed`);
    }
  }

  values(): IterableIterator<Group> {
    return this.groups.values();
  }

  dump(): unknown[] {
    return [...this.groups.values()].map((g) => g.dump());
  }
}
