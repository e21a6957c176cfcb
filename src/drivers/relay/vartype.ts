/**
 * A variable's type as GET TYPE tells it (upsd's netget.c: RW, ENUM, RANGE,
 * then STRING:<size> or NUMBER), with the enums and ranges read after it.
 */
export interface RelayType {
  rw: boolean;
  string: boolean;
  maxLength: number;
  /** GET TYPE said ENUM / RANGE: LIST ENUM / LIST RANGE are worth asking. */
  enum: boolean;
  range: boolean;
  enums: string[];
  ranges: Array<[number, number]>;
}

/** The words after `TYPE <ups> <var>`; unknown words (a newer upsd's) are ignored. */
export function parseType(words: readonly string[]): RelayType {
  const t: RelayType = { rw: false, string: false, maxLength: 0, enum: false, range: false, enums: [], ranges: [] };
  for (const w of words) {
    const u = w.toUpperCase();
    if (u === 'RW') t.rw = true;
    else if (u === 'ENUM') t.enum = true;
    else if (u === 'RANGE') t.range = true;
    else if (u.startsWith('STRING')) {
      t.string = true;
      const n = Number(u.slice('STRING:'.length));
      t.maxLength = u.startsWith('STRING:') && Number.isInteger(n) && n >= 0 ? n : 0;
    }
  }
  return t;
}

export function sameType(a: RelayType, b: RelayType): boolean {
  return (
    a.rw === b.rw &&
    a.string === b.string &&
    a.maxLength === b.maxLength &&
    a.enums.length === b.enums.length &&
    a.enums.every((e, i) => e === b.enums[i]) &&
    a.ranges.length === b.ranges.length &&
    a.ranges.every(([lo, hi], i) => lo === b.ranges[i]![0] && hi === b.ranges[i]![1])
  );
}
