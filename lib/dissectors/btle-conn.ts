// Bluetooth LE connections, tracked by access address (Wireshark packet-btle.c connection_info_tree).
// A CONNECT_IND (or AUX_CONNECT_REQ) opens a connection: its access address, initiator (master) and advertiser
// (slave) addresses. A data PDU on that access address belongs to the latest connection opened before it.
// Entries are append-only and shared by every capture so that a layer's aux number stays valid after a reset;
// only the access-address index is per capture.

/** One connection (or one set of connection parameters of it): what btle.master_bd_addr & co. show. */
export interface BtleConnection {
  readonly accessAddress: number;
  readonly master: number;
  readonly slave: number;
  /** 1-based frame number whose parameters are in force (btle.connection_parameters_in). */
  readonly paramsFrame: number;
}

const entries: BtleConnection[] = [];
/** Access address -> 1-based entry index, for the capture being dissected. */
let byAccessAddress = new Map<number, number>();

/** Forgets the access-address index (before a pass over a capture). */
export function resetConnections(): void {
  byAccessAddress = new Map();
  resetLinks();
}

/** Records a connection (or new parameters); returns its 1-based reference. */
export function openConnection(accessAddress: number, master: number, slave: number, paramsFrame: number, fresh = false): number {
  if (fresh) openLink(accessAddress);
  entries.push({ accessAddress, master, slave, paramsFrame });
  byAccessAddress.set(accessAddress, entries.length);
  return entries.length;
}

/** The current connection on an access address: 1-based reference, 0 when none was seen. */
export function connectionRef(accessAddress: number): number {
  return byAccessAddress.get(accessAddress) ?? 0;
}

/** The connection a reference names, or undefined for 0 / out of range. */
export function connection(ref: number): BtleConnection | undefined {
  return ref > 0 ? entries[ref - 1] : undefined;
}

/** Per-connection link-layer state for one direction (packet-btle.c direction_info): SN tracking, L2CAP fragments. */
interface DirectionState {
  prevSeq: number;
  /** Bytes still expected of the L2CAP PDU being reassembled; -1 when none is started. */
  remaining: number;
  parts: Uint8Array[];
}
/** A connection's state; replaced when a new CONNECT_IND opens the access address again. */
export interface LinkState { firstSeen: boolean; dir: [DirectionState, DirectionState, DirectionState] }

let links = new Map<number, LinkState>();
const newDir = (): DirectionState => ({ prevSeq: 0, remaining: -1, parts: [] });

/** Fresh link state for a (re)opened access address. */
export function openLink(accessAddress: number): void {
  links.set(accessAddress, { firstSeen: false, dir: [newDir(), newDir(), newDir()] });
}
/** The link state of an access address, undefined when no CONNECT_IND was seen. */
export function link(accessAddress: number): LinkState | undefined {
  return links.get(accessAddress);
}
/** Forgets link states (before a pass). */
export function resetLinks(): void {
  links = new Map();
}
