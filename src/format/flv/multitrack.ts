import { ByteReader } from '../../util/byte-reader.js';
import { ProtocolError, UnsupportedError } from '../../util/errors.js';
import { AvMultitrackType } from './constants.js';

/** How readMultitrack treats one media kind (audio or video). */
export interface MultitrackKind<C, T> {
  /** 'audio' or 'video', for error messages. */
  name: string;
  /** Error prefix for a track's bytes, e.g. 'flv: video tag'. */
  what: string;
  /** The kind's Multitrack and ModEx packet types (not allowed inside a multitrack body). */
  multitrackPacketType: number;
  modExPacketType: number;
  /** Throws UnsupportedError for a packet type the kind does not define. */
  checkPacketType(pt: number): void;
  /** The codec of a FourCC (throws UnsupportedError for an unknown one). */
  codecOfFourCc(fourCc: number): C;
  /** Parses one track's packet from its bytes. */
  parseTrack(r: ByteReader, codec: C, packetType: number): T;
}

/**
 * Reads an E-RTMP multitrack body after its packet type (Enhanced RTMP v2, "Multitrack"):
 * ```
 * AvMultitrackType UB[4], PacketType UB[4]
 * FourCC UI32                         unless ManyTracksManyCodecs
 * per track: [FourCC UI32 if ManyTracksManyCodecs], TrackId UI8, [TrackSize UI24 unless OneTrack], body
 * ```
 * Shared by audio and video; track bodies are parsed by `kind.parseTrack` on views of the input.
 */
export function readMultitrack<C, T>(
  r: ByteReader,
  kind: MultitrackKind<C, T>,
): { multitrackType: AvMultitrackType; packetType: number; tracks: Array<T & { trackId: number }> } {
  const b = r.u8();
  const multitrackType = b >> 4;
  const inner = b & 0x0f;
  if (multitrackType > AvMultitrackType.ManyTracksManyCodecs) {
    throw new UnsupportedError(`flv: unknown ${kind.name} AvMultitrackType ${multitrackType}`);
  }
  if (inner === kind.multitrackPacketType || inner === kind.modExPacketType) {
    throw new ProtocolError(`flv: ${kind.name} multitrack packet type ${inner} inside a multitrack body`);
  }
  kind.checkPacketType(inner);
  const manyCodecs = multitrackType === AvMultitrackType.ManyTracksManyCodecs;
  const shared = manyCodecs ? undefined : kind.codecOfFourCc(r.u32());
  const tracks: Array<T & { trackId: number }> = [];
  do {
    const codec = shared ?? kind.codecOfFourCc(r.u32());
    const trackId = r.u8();
    let tr = r;
    if (multitrackType !== AvMultitrackType.OneTrack) {
      const size = r.u24();
      tr = new ByteReader(r.bytes(size, `${kind.what} track ${trackId}`), `${kind.what} track ${trackId}`);
    }
    tracks.push({ ...kind.parseTrack(tr, codec, inner), trackId });
  } while (multitrackType !== AvMultitrackType.OneTrack && r.remaining > 0);
  return { multitrackType, packetType: inner, tracks };
}
