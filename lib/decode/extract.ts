// Field extraction: turns layers into columns for the fields asked for, and only those.
// Row-at-a-time over the layer table of each chunk: a layer's proto selects the (few) requested fields it owns.

import type { Chunk } from "../capture/chunks.js";
import type { CaptureFile } from "../capture/types.js";
import type { Emit, FieldDef } from "../dissectors/field.js";
import { ColumnBuilder } from "./column.js";
import type { LayerTable } from "./layer-table.js";

/** The requested layer fields grouped by the proto id of the layer they are read from. */
export class Extraction {
  private readonly byProto: (Slot[] | undefined)[] = [];
  readonly builders: ColumnBuilder[] = [];
  private frame = 0;
  private target: ColumnBuilder | null = null;
  /** One emitter for every MultiGetter call, so nothing is allocated per occurrence. */
  private readonly emit: Emit = (v) => this.target!.push(this.frame, v);

  constructor(fields: readonly { field: FieldDef; proto: number }[], frames: number) {
    for (const { field, proto } of fields) {
      const builder = new ColumnBuilder(field, Math.min(frames + 1, 1 << 16));
      this.builders.push(builder);
      (this.byProto[proto] ??= []).push({ field, builder });
    }
  }

  /** Extracts the fields from layers [from, to) whose bytes are in `chunk`. */
  run(file: CaptureFile, layers: LayerTable, chunk: Chunk, from: number, to: number): void {
    const offset = file.index.offset;
    const { frame, proto, off, end, rep, aux, buf, side } = layers;
    const base = chunk.base;
    for (let l = from; l < to; l++) {
      const slots = this.byProto[proto[l]];
      if (slots === undefined) continue;
      const f = frame[l];
      let b: Uint8Array, o: number, e: number;
      if (buf[l] === 0) {
        const fo = offset[f] - base;
        b = chunk.buf; o = fo + off[l]; e = fo + end[l];
      } else {
        b = side[buf[l] - 1]; o = off[l]; e = end[l];
      }
      const r = rep[l], a = aux[l];
      for (let s = 0; s < slots.length; s++) {
        const { field, builder } = slots[s];
        if (field.get !== undefined) {
          const v = field.get(b, o, e, r, a);
          if (v !== undefined) builder.push(f, v);
        } else if (field.each !== undefined) {
          this.frame = f;
          this.target = builder;
          field.each(b, o, e, r, a, this.emit);
        } else {
          builder.push(f, 1); // the protocol's presence field
        }
      }
    }
  }
}

interface Slot {
  field: FieldDef;
  builder: ColumnBuilder;
}
